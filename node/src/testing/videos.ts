/**
 * @module testing/videos
 * Test support: tiny real videos made by ffmpeg from its test pattern and a sine tone (a few
 * seconds, ultrafast), and polling a lecture until its transcode ends.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface VideoSpec {
  width?: number
  height?: number
  seconds?: number
  /** The container, by extension: mp4, mkv, mov, webm. */
  ext?: string
  audio?: boolean
}

/** Writes a test video into `dir`; @returns its path. */
export async function makeVideo(dir: string, name: string, spec: VideoSpec = {}): Promise<string> {
  const { width = 640, height = 360, seconds = 6, ext = 'mp4', audio = true } = spec
  const out = join(dir, `${name}.${ext}`)
  const codecs =
    ext === 'webm'
      ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', ...(audio ? ['-c:a', 'libopus'] : [])]
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...(audio ? ['-c:a', 'aac'] : [])]
  await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${width}x${height}:rate=25`,
      ...(audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440'] : []),
      '-t',
      String(seconds),
      ...codecs,
      out,
    ],
    { timeout: 60_000 },
  )
  return out
}

/** Polls until `check` answers a value (or the time runs out, then throws with the last answer). */
export async function until<T>(
  what: string,
  check: () => Promise<{ done: T } | { last: unknown }>,
  timeoutMs = 90_000,
): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < end) {
    const r = await check()
    if ('done' in r) return r.done
    last = r.last
    await new Promise((res) => setTimeout(res, 250))
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`)
}
