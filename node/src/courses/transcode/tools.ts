/**
 * @module courses/transcode/tools
 * Finding ffmpeg and ffprobe (on PATH, or where `SHULIN_FFMPEG` / `SHULIN_FFPROBE` point), and
 * running them: niced below the node's own work, with a time limit that kills the process, the
 * last lines of its stderr kept to say why it failed, and stdout read line by line (progress).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { setPriority } from 'node:os'

export interface MediaTools {
  ffmpeg: string
  ffprobe: string
  /** `ffmpeg -version`'s first line, for the log. */
  version: string
}

/** A transcode that cannot be done, in words staff can act on. */
export class TranscodeFailure extends Error {
  override readonly name = 'TranscodeFailure'
}

/** The run was stopped because the node is stopping: the job goes back to the queue. */
export class TranscodeAborted extends Error {
  override readonly name = 'TranscodeAborted'
}

export interface RunOptions {
  /** Killed (SIGKILL) past this; the failure says so. */
  timeoutMs: number
  /** Why the limit is what it is, for the failure message (`--transcode-timeout`). */
  timeoutHint?: string
  signal?: AbortSignal | undefined
  onLine?: (line: string) => void
  /** Below the node's own work (`nice -n 10`), where the system has priorities. */
  nice?: boolean
}

export interface RunResult {
  stdout: string
  stderrTail: string
}

const tailLines = 12

/** `nice`, where the system has it. */
const niceBin = ['/usr/bin/nice', '/bin/nice'].find((p) => existsSync(p))

/** Runs a tool to its end; a non-zero exit, a crash or the time limit is a {@link TranscodeFailure}. */
export function runTool(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const name = cmd.split(/[/\\]/).pop() ?? cmd
    let child
    // `nice` execs the tool (same pid, so a kill reaches it) at the lower priority from its first thread on.
    const viaNice = opts.nice && niceBin !== undefined
    try {
      child = viaNice
        ? spawn(niceBin!, ['-n', '10', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
    } catch (err) {
      return reject(new TranscodeFailure(`${name} could not be started: ${(err as Error).message}`))
    }
    if (opts.nice && !viaNice && child.pid !== undefined) {
      try {
        // Windows has no nice: the process's priority class is lowered instead.
        setPriority(child.pid, 10)
      } catch {
        // Not allowed here: it runs at the node's priority.
      }
    }
    let stdout = ''
    let pending = ''
    let stderr: string[] = []
    let settled = false
    let timedOut = false
    let aborted = false
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < 1_000_000) stdout += chunk
      if (!opts.onLine) return
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop()!
      for (const line of lines) opts.onLine(line.trim())
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr = [...stderr, ...chunk.split('\n').filter((l) => l.trim())].slice(-tailLines)
    })
    const kill = () => {
      try {
        child.kill('SIGKILL')
      } catch {
        // Already gone.
      }
    }
    const timer = setTimeout(() => {
      timedOut = true
      kill()
    }, opts.timeoutMs)
    const onAbort = () => {
      aborted = true
      kill()
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    const finish = (err: Error | undefined) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      if (err) reject(err)
      else resolve({ stdout, stderrTail: stderr.join('\n') })
    }
    child.on('error', (err) => finish(new TranscodeFailure(`${name} could not be started: ${err.message}`)))
    child.on('close', (code, signal) => {
      if (aborted) return finish(new TranscodeAborted(`${name} stopped: the node is stopping`))
      if (timedOut)
        return finish(
          new TranscodeFailure(
            `${name} did not finish within ${Math.round(opts.timeoutMs / 1000)} s and was stopped${opts.timeoutHint ? ` (${opts.timeoutHint})` : ''}`,
          ),
        )
      if (code === 0) return finish(undefined)
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
      finish(new TranscodeFailure(`${name} ${how}${stderr.length ? `: ${stderr.join(' | ').slice(-1500)}` : ''}`))
    })
  })
}

/**
 * ffmpeg and ffprobe, when both run. `configured` paths (settings) win over PATH.
 * @returns undefined when either is missing (the node then serves MP4 originals as they are).
 */
export async function findTools(configured: {
  ffmpeg?: string | undefined
  ffprobe?: string | undefined
}): Promise<MediaTools | undefined> {
  const ffmpeg = configured.ffmpeg || 'ffmpeg'
  const ffprobe = configured.ffprobe || 'ffprobe'
  try {
    const [v] = await Promise.all([
      runTool(ffmpeg, ['-hide_banner', '-version'], { timeoutMs: 15_000 }),
      runTool(ffprobe, ['-hide_banner', '-version'], { timeoutMs: 15_000 }),
    ])
    return { ffmpeg, ffprobe, version: v.stdout.split('\n')[0]?.trim() ?? '' }
  } catch {
    return undefined
  }
}
