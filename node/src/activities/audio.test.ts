/**
 * The recording checks and the normalisation with real ffmpeg on tiny generated audio: what a
 * browser sends (WebM/Opus, streamed without a duration in its header) and MP3 are accepted
 * with their true length; a truncated file, a picture, over-long and silent ones are refused;
 * loud and quiet readings come out at the same loudness; and a crowd of uploads is decoded at
 * most `maxInspections` at a time.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findTools, type MediaTools } from '../courses/transcode/tools.js'
import { AudioRejected, inspectAudio, maxInspections, transcodeAudio } from './audio.js'

const run = promisify(execFile)
let dir: string
let tools: MediaTools

async function make(name: string, args: string[]): Promise<string> {
  const out = join(dir, name)
  await run('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args, out], { timeout: 60_000 })
  return out
}

const reason = async (p: Promise<unknown>) => {
  try {
    await p
    return 'accepted'
  } catch (err) {
    if (err instanceof AudioRejected) return err.reason
    throw err
  }
}

/** Integrated loudness (LUFS) by ffmpeg's ebur128. */
async function loudness(file: string): Promise<number> {
  const { stderr } = await run(
    'ffmpeg',
    ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128', '-f', 'null', '-'],
    {
      timeout: 60_000,
    },
  )
  const all = [...stderr.matchAll(/I:\s+(-?[\d.]+) LUFS/g)]
  return Number(all.at(-1)![1])
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shulin-audio-'))
  tools = (await findTools({}))!
  expect(tools).toBeDefined()
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('recordings, with ffmpeg', () => {
  it('accepts a browser’s WebM/Opus (no duration in its header) and MP3, measuring their true length', async () => {
    // Written to a pipe, as MediaRecorder streams it: the WebM header has no duration.
    const { stdout } = await run(
      'sh',
      ['-c', 'ffmpeg -v error -f lavfi -i sine=f=330:d=3 -c:a libopus -f webm - | cat'],
      { encoding: 'buffer', timeout: 60_000, maxBuffer: 10_000_000 },
    )
    const webm = join(dir, 'rec.webm')
    await writeFile(webm, stdout as unknown as Buffer)
    const info = await inspectAudio(tools, webm, 10)
    expect(info.durationSeconds).toBeGreaterThan(2.8)
    expect(info.durationSeconds).toBeLessThan(3.2)
    const mp3 = await make('rec.mp3', ['-f', 'lavfi', '-i', 'sine=d=2', '-c:a', 'libmp3lame'])
    expect((await inspectAudio(tools, mp3, 10)).durationSeconds).toBeGreaterThan(1.8)
  })

  it('refuses a truncated file, a picture, an over-long, a too-short and a silent recording', async () => {
    const wav = await make('whole.wav', ['-f', 'lavfi', '-i', 'sine=d=2'])
    const cut = join(dir, 'cut.wav')
    await writeFile(cut, (await readFile(wav)).subarray(0, 30))
    expect(await reason(inspectAudio(tools, cut, 10))).toBe('not_audio')
    const png = await make('pic.png', ['-f', 'lavfi', '-i', 'testsrc=size=32x32', '-frames:v', '1'])
    expect(await reason(inspectAudio(tools, png, 10))).toBe('not_audio')
    const long = await make('long.wav', ['-f', 'lavfi', '-i', 'sine=d=12'])
    expect(await reason(inspectAudio(tools, long, 10))).toBe('too_long')
    expect(await reason(inspectAudio(tools, long, 12))).toBe('accepted')
    const blip = await make('blip.wav', ['-f', 'lavfi', '-i', 'sine=d=0.3'])
    expect(await reason(inspectAudio(tools, blip, 10))).toBe('too_short')
    const silence = await make('silence.wav', ['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '3'])
    expect(await reason(inspectAudio(tools, silence, 10))).toBe('silent')
    // A quiet but real reading (peak -43 dBFS) is not silence.
    const quiet = await make('quiet.wav', ['-f', 'lavfi', '-i', 'sine=d=2', '-af', 'volume=-25dB'])
    expect(await reason(inspectAudio(tools, quiet, 10))).toBe('accepted')
  })

  it('normalises loud and quiet readings to the same loudness (EBU R128, -16 LUFS), as M4A', async () => {
    const loud = await make('loud.wav', ['-f', 'lavfi', '-i', 'sine=f=440:d=4', '-af', 'volume=-3dB'])
    const quiet = await make('quiet4.wav', ['-f', 'lavfi', '-i', 'sine=f=440:d=4', '-af', 'volume=-30dB'])
    const outs = []
    for (const f of [loud, quiet]) {
      const out = `${f}.m4a`
      const d = await transcodeAudio(tools, f, out, { maxSeconds: 10 })
      expect(d).toBeGreaterThan(3.8)
      expect((await readFile(out)).subarray(4, 8).toString('latin1')).toBe('ftyp')
      outs.push(await loudness(out))
    }
    expect(Math.abs((await loudness(loud)) - (await loudness(quiet)))).toBeGreaterThan(20)
    for (const l of outs) expect(Math.abs(l - -16)).toBeLessThan(2)
  })

  it(`decodes at most ${maxInspections} uploads at a time`, async () => {
    const wav = await make('crowd.wav', ['-f', 'lavfi', '-i', 'sine=d=20'])
    let most = 0
    let polling = true
    const poll = (async () => {
      while (polling) {
        let n = 0
        for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
          const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
          if (cmd.includes(wav) && cmd.includes('volumedetect')) n++
        }
        most = Math.max(most, n)
        await new Promise((r) => setTimeout(r, 5))
      }
    })()
    const results = await Promise.all(Array.from({ length: 6 }, () => reason(inspectAudio(tools, wav, 30))))
    polling = false
    await poll
    expect(results).toEqual(Array(6).fill('accepted'))
    expect(most).toBeGreaterThan(0)
    expect(most).toBeLessThanOrEqual(maxInspections)
  })
})
