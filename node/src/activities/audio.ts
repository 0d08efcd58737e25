/**
 * @module activities/audio
 * A recitation's recording, checked when it arrives and normalised later:
 *
 * - {@link inspectAudio} decodes the upload once (ffmpeg, mono 8 kHz, at most the activity's
 *   limit plus a second) and measures it: no decodable audio stream → not audio; more samples
 *   than `maxSeconds` → over-long; a peak under {@link silentPeakDb} → silent. Decoding rather
 *   than trusting the container's header, because a browser's MediaRecorder WebM carries no
 *   duration, and a header can lie either way.
 * - {@link transcodeAudio} writes the normalised web version: AAC in M4A (every browser plays
 *   it), mono, loudness normalised to EBU R128 (-16 LUFS integrated, -1.5 dBTP), `faststart`
 *   so playback starts before the whole file arrives.
 */
import { spawn } from 'node:child_process'
import { runTool, TranscodeFailure, type MediaTools } from '../courses/transcode/tools.js'

/** Below this peak (dBFS) a recording is taken as silence (a muted microphone peaks near -90). */
export const silentPeakDb = -50
/** Shorter than this is no recitation (an accidental tap on "stop"). */
export const minSeconds = 1

/** Why a recording is refused, in words for the reader (and the stable reason for clients). */
export class AudioRejected extends Error {
  override readonly name = 'AudioRejected'
  constructor(
    readonly reason: 'not_audio' | 'too_long' | 'too_short' | 'silent',
    message: string,
    /** The same in Chinese (zh-CN). */
    readonly zh: string,
  ) {
    super(message)
  }
}

export interface AudioInfo {
  durationSeconds: number
  peakDb: number
  meanDb: number
}

const rateHz = 8000

/** Uploads decoded at once; the others wait their turn (a crowd of uploads is not a crowd of ffmpegs). */
export const maxInspections = 2
let inspecting = 0
const waiting: Array<() => void> = []

async function inTurn<T>(fn: () => Promise<T>): Promise<T> {
  if (inspecting >= maxInspections) await new Promise<void>((r) => waiting.push(r))
  else inspecting++
  try {
    return await fn()
  } finally {
    // The turn passes straight to the next in line (the count stays), or is given back.
    const next = waiting.shift()
    if (next) next()
    else inspecting--
  }
}

/** Runs ffmpeg and gives its whole stderr (volumedetect reports there), bounded in time. */
function ffmpegStderr(
  ffmpeg: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'], windowsHide: true })
    let err = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (c: string) => {
      if (err.length < 200_000) err += c
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(new TranscodeFailure(`ffmpeg could not be started: ${e.message}`))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, err })
    })
  })
}

/**
 * Decodes and measures an upload against the activity's limit.
 * @throws {AudioRejected} not audio, over-long, too short or silent.
 */
export async function inspectAudio(tools: MediaTools, file: string, maxSeconds: number): Promise<AudioInfo> {
  const { code, err } = await inTurn(() =>
    ffmpegStderr(
      tools.ffmpeg,
      [
        '-hide_banner',
        '-nostats',
        '-i',
        file,
        '-map',
        '0:a:0',
        '-vn',
        // One past the limit is enough to know it is over.
        '-t',
        String(maxSeconds + 1),
        '-af',
        `aresample=${rateHz},aformat=channel_layouts=mono,volumedetect`,
        '-f',
        'null',
        '-',
      ],
      Math.max(60_000, maxSeconds * 1000),
    ),
  )
  const samples = /n_samples:\s*(\d+)/.exec(err)
  if (code !== 0 || !samples) {
    const why = /Stream map '0:a:0' matches no streams|does not contain any stream/i.test(err)
      ? 'the file has no sound track'
      : 'ffmpeg cannot decode it as audio'
    throw new AudioRejected(
      'not_audio',
      `This file is not a recording: ${why}.`,
      '该文件不是录音：无法从中解码出声音。',
    )
  }
  const durationSeconds = Math.round((Number(samples[1]) / rateHz) * 100) / 100
  if (durationSeconds > maxSeconds)
    throw new AudioRejected(
      'too_long',
      `The recording is longer than this activity's limit of ${maxSeconds} seconds; please shorten it.`,
      `录音超过了本活动 ${maxSeconds} 秒的时长上限，请缩短后再提交。`,
    )
  if (durationSeconds < minSeconds)
    throw new AudioRejected(
      'too_short',
      `The recording lasts ${durationSeconds} s: it is too short to be a reading.`,
      `录音只有 ${durationSeconds} 秒，太短了。`,
    )
  const peak = /max_volume:\s*(-?[\d.]+|-inf) dB/.exec(err)
  const mean = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(err)
  const peakDb = peak && peak[1] !== '-inf' ? Number(peak[1]) : -Infinity
  const meanDb = mean && mean[1] !== '-inf' ? Number(mean[1]) : -Infinity
  if (!(peakDb >= silentPeakDb))
    throw new AudioRejected(
      'silent',
      `The recording is silent (its loudest moment is ${Number.isFinite(peakDb) ? `${peakDb} dB` : 'no sound at all'}); check the microphone and record again.`,
      '录音没有声音，请检查麦克风后重新录制。',
    )
  return { durationSeconds, peakDb, meanDb }
}

/** Writes the normalised M4A of `input` to `output`; @returns its duration in seconds. */
export async function transcodeAudio(
  tools: MediaTools,
  input: string,
  output: string,
  opts: { maxSeconds: number; signal?: AbortSignal | undefined },
): Promise<number> {
  await runTool(
    tools.ffmpeg,
    [
      '-hide_banner',
      '-nostats',
      '-y',
      '-i',
      input,
      '-map',
      '0:a:0',
      '-vn',
      '-t',
      String(opts.maxSeconds + 1),
      '-af',
      'loudnorm=I=-16:TP=-1.5:LRA=11',
      '-ac',
      '1',
      '-ar',
      '48000',
      '-c:a',
      'aac',
      '-b:a',
      '96k',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      output,
    ],
    { timeoutMs: Math.max(120_000, opts.maxSeconds * 4000), signal: opts.signal, nice: true },
  )
  const probe = await runTool(
    tools.ffprobe,
    ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', output],
    { timeoutMs: 30_000 },
  )
  const d = Number(probe.stdout.trim())
  if (!Number.isFinite(d) || d <= 0) throw new TranscodeFailure('the normalised audio has no duration')
  return Math.round(d * 100) / 100
}
