/**
 * @module courses/transcode/hls
 * The ffmpeg runs of one transcode: HLS renditions in one pass (the picture decoded once,
 * split and scaled per rendition; H.264 + AAC; keyframes every 2 s so 4 s segments cut
 * cleanly; each rendition one `.ts` with a byte-range playlist, `single_file`) and a poster
 * frame. Progress comes from `-progress pipe:1`.
 */
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Rendition } from '@shulin/protocol'
import { audioBitrate, type Rung } from './ladder.js'
import { runTool, TranscodeFailure, type MediaTools, type RunOptions } from './tools.js'
import type { VideoInfo } from './probe.js'

export const segmentSeconds = 4

/** ffmpeg's arguments for the renditions of `rungs`, written into `outDir`. */
export function hlsArgs(source: string, info: VideoInfo, rungs: Rung[], outDir: string): string[] {
  const n = rungs.length
  const split = `[0:v]split=${n}${rungs.map((_, i) => `[v${i}]`).join('')}`
  const scales = rungs.map((r, i) => `[v${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1[o${i}]`)
  const maps = rungs.flatMap((_, i) => ['-map', `[o${i}]`, ...(info.hasAudio ? ['-map', '0:a:0'] : [])])
  const rates = rungs.flatMap((r, i) => [
    `-b:v:${i}`,
    String(r.videoBitrate),
    `-maxrate:v:${i}`,
    String(Math.round(r.videoBitrate * 1.1)),
    `-bufsize:v:${i}`,
    String(r.videoBitrate * 2),
  ])
  const streamMap = rungs.map((r, i) => `v:${i},${info.hasAudio ? `a:${i},` : ''}name:${r.name}`).join(' ')
  return [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-i',
    source,
    '-filter_complex',
    [split, ...scales].join(';'),
    ...maps,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'main',
    '-pix_fmt',
    'yuv420p',
    ...rates,
    '-force_key_frames',
    'expr:gte(t,n_forced*2)',
    '-sc_threshold',
    '0',
    ...(info.hasAudio ? ['-c:a', 'aac', '-b:a', String(audioBitrate), '-ac', '2', '-ar', '48000'] : []),
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
    '-hls_playlist_type',
    'vod',
    '-hls_flags',
    'single_file',
    '-master_pl_name',
    'master.m3u8',
    '-var_stream_map',
    streamMap,
    '-progress',
    'pipe:1',
    '-nostats',
    join(outDir, '%v.m3u8'),
  ]
}

/** The seconds done, from a `-progress` line (`out_time_us=…`), or undefined. */
export function progressSeconds(line: string): number | undefined {
  const m = /^out_time_(?:us|ms)=(\d+)$/.exec(line)
  return m ? Number(m[1]) / 1e6 : undefined
}

/** Each rendition's peak bandwidth as the master playlist states it, by playlist name. */
export function masterBandwidths(master: string): Map<string, number> {
  const out = new Map<string, number>()
  const lines = master.split(/\r?\n/)
  lines.forEach((line, i) => {
    const bw = /^#EXT-X-STREAM-INF:.*\bBANDWIDTH=(\d+)/.exec(line)
    const uri = lines.slice(i + 1).find((l) => l.trim() && !l.startsWith('#'))
    if (bw && uri) out.set(uri.trim(), Number(bw[1]))
  })
  return out
}

export interface HlsOutput {
  renditions: Rendition[]
  /** Every file written, by the name the playlists use. */
  files: Array<{ name: string; path: string }>
}

export async function transcodeHls(
  tools: MediaTools,
  source: string,
  info: VideoInfo,
  rungs: Rung[],
  outDir: string,
  run: Omit<RunOptions, 'onLine'> & { onProgress: (fraction: number) => void },
): Promise<HlsOutput> {
  await runTool(tools.ffmpeg, hlsArgs(source, info, rungs, outDir), {
    ...run,
    onLine: (line) => {
      const s = progressSeconds(line)
      if (s !== undefined) run.onProgress(Math.min(1, Math.max(0, s / info.durationSeconds)))
    },
  })
  const master = await readFile(join(outDir, 'master.m3u8'), 'utf8').catch(() => {
    throw new TranscodeFailure('ffmpeg finished without writing the master playlist')
  })
  const bandwidths = masterBandwidths(master)
  const renditions: Rendition[] = []
  for (const r of rungs) {
    const playlist = `${r.name}.m3u8`
    const media = `${r.name}.ts`
    const size = await stat(join(outDir, media)).then(
      (s) => s.size,
      () => 0,
    )
    if (!size || !bandwidths.has(playlist)) throw new TranscodeFailure(`ffmpeg wrote no ${r.name} rendition`)
    renditions.push({ height: r.height, width: r.width, bandwidth: bandwidths.get(playlist)!, playlist, media })
  }
  const names = (await readdir(outDir)).filter((n) => /\.(m3u8|ts)$/.test(n))
  return { renditions, files: names.map((name) => ({ name, path: join(outDir, name) })) }
}

/** A JPEG frame a few seconds in (or a third of the way into a short video). */
export async function posterFrame(
  tools: MediaTools,
  source: string,
  info: VideoInfo,
  out: string,
  run: Omit<RunOptions, 'onLine'>,
): Promise<void> {
  const at = Math.min(5, info.durationSeconds / 3)
  await runTool(
    tools.ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-ss',
      at.toFixed(2),
      '-i',
      source,
      '-frames:v',
      '1',
      '-vf',
      `scale=-2:${Math.min(720, info.height - (info.height % 2))}`,
      '-q:v',
      '4',
      out,
    ],
    run,
  )
}
