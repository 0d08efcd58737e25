/**
 * @module courses/transcode/probe
 * What a video is, by ffprobe: its duration and picture size, whether it has sound; and the
 * limits it must keep (the node's `--max-video-duration` and `--max-video-height`). A file
 * ffprobe cannot read (not video, truncated, empty) fails with ffprobe's own words.
 */
import { z } from 'zod'
import { runTool, TranscodeFailure, type MediaTools } from './tools.js'

export interface VideoInfo {
  durationSeconds: number
  width: number
  height: number
  hasAudio: boolean
}

export interface VideoLimits {
  maxSeconds: number
  maxHeight: number
}

const Probe = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        duration: z.string().optional(),
        disposition: z.object({ attached_pic: z.number().optional() }).optional(),
      }),
    )
    .default([]),
  format: z.object({ duration: z.string().optional() }).optional(),
})

/** Reads ffprobe's JSON; what it cannot use is a {@link TranscodeFailure}. */
export function readProbe(json: string): VideoInfo {
  let parsed
  try {
    parsed = Probe.parse(JSON.parse(json))
  } catch {
    throw new TranscodeFailure('ffprobe gave no description of the file: it is not a readable video')
  }
  const video = parsed.streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic)
  if (!video || !video.width || !video.height) throw new TranscodeFailure('the file has no video stream')
  const duration = Number(parsed.format?.duration ?? video.duration)
  if (!Number.isFinite(duration) || duration <= 0)
    throw new TranscodeFailure('the video has no duration: it is empty or cut off')
  return {
    durationSeconds: Math.round(duration * 100) / 100,
    width: video.width,
    height: video.height,
    hasAudio: parsed.streams.some((s) => s.codec_type === 'audio'),
  }
}

export function checkLimits(info: VideoInfo, limits: VideoLimits): void {
  if (info.durationSeconds > limits.maxSeconds)
    throw new TranscodeFailure(
      `the video lasts ${Math.round(info.durationSeconds)} s, over this node's limit of ${limits.maxSeconds} s (--max-video-duration)`,
    )
  if (info.height > limits.maxHeight)
    throw new TranscodeFailure(
      `the video is ${info.width}×${info.height}, taller than this node's limit of ${limits.maxHeight} pixels (--max-video-height)`,
    )
}

export async function probe(tools: MediaTools, file: string, signal?: AbortSignal): Promise<VideoInfo> {
  let out
  try {
    out = await runTool(
      tools.ffprobe,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file],
      { timeoutMs: 60_000, signal, timeoutHint: 'ffprobe hung reading the file' },
    )
  } catch (err) {
    if (err instanceof TranscodeFailure)
      throw new TranscodeFailure(`not a readable video (${err.message.replace(/^ffprobe exited with code \d+: /, '')})`)
    throw err
  }
  return readProbe(out.stdout)
}
