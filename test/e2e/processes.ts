/**
 * @module e2e/processes
 * Spawning `shulin` as an operator would, with every child killed at the end of a test file.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export const shulinBin = fileURLToPath(new URL('../../bin/shulin.js', import.meta.url))
export const shulinDenoBin = fileURLToPath(new URL('../../bin/shulin-deno.js', import.meta.url))
export const denoExecutable = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url))

const children = new Set<ChildProcess>()

/** Kills every child still running; resolves when they have exited (10 s at most). */
export async function killAll(): Promise<void> {
  const running = [...children].filter((c) => c.exitCode === null && c.signalCode === null)
  const exits = running.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())))
  for (const c of running) c.kill('SIGKILL')
  await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
}

/**
 * Removes a test's work folder. A live node's ffmpeg outlives a SIGKILLed node for a moment (it
 * writes its last segment on end of input), so the removal tries again while a folder fills up
 * under it (ENOTEMPTY).
 */
export async function removeWork(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
}

/** The command line that runs the CLI under Node (default) or Deno. */
export function cliCommand(runtime: 'node' | 'deno'): [string, string[]] {
  return runtime === 'node' ? [process.execPath, [shulinBin]] : [denoExecutable, ['run', '-A', shulinDenoBin]]
}

export function run(
  args: string[],
  env: Record<string, string> = {},
  runtime: 'node' | 'deno' = 'node',
  /** Killed after this long (a 100k-record import on a loaded machine needs more than the default). */
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [cmd, pre] = cliCommand(runtime)
  return new Promise((resolve) => {
    const child = spawn(cmd, [...pre, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (d) => (stdout += d))
    child.stderr!.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      children.delete(child)
      resolve({ code, stdout, stderr })
    })
  })
}

/**
 * Spawns `cmd` (killed with the rest at the end of the file) with its stdout and stderr gathered
 * into one text, and its exit code as a promise.
 */
export function spawnLogged(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => (children.delete(child), resolve(code))),
  )
  return { child, output: () => out, exited }
}

export interface Started {
  child: ChildProcess
  url: string
  output: () => string
  exited: Promise<number | null>
}

/** Starts a node and waits (at most 20 s) for the banner's URL and a healthy /api/health. */
export async function start(
  args: string[],
  env: Record<string, string> = {},
  runtime: 'node' | 'deno' = 'node',
): Promise<Started> {
  const [cmd, pre] = cliCommand(runtime)
  // Any free peer port unless the test chooses one: nodes of different tests run side by side.
  const p2p = args.includes('--p2p-port') || env.SHULIN_P2P_PORT ? [] : ['--p2p-port', '0']
  // Likewise the RTMP port of live lectures (1935 by default).
  const rtmp = args.includes('--rtmp-port') || env.SHULIN_RTMP_PORT ? [] : ['--rtmp-port', '0']
  const { child, output, exited } = spawnLogged(
    cmd,
    [...pre, 'start', '--host', '127.0.0.1', ...p2p, ...rtmp, ...args],
    {
      ...process.env,
      ...env,
    },
  )
  const deadline = Date.now() + 20_000
  for (;;) {
    const m = /open\s+:\s+(http:\/\/\S+)/.exec(output())
    if (m) {
      const res = await fetch(m[1] + '/api/health').catch(() => undefined)
      if (res?.ok) return { child, url: m[1]!, output, exited }
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`node did not start:\n${output()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
