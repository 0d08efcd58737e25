import { describe, expect, it } from 'vitest'
import { ladder } from './ladder.js'
import { hlsArgs, masterBandwidths, progressSeconds } from './hls.js'
import { checkLimits, readProbe } from './probe.js'
import { TranscodeFailure } from './tools.js'

describe('the rendition ladder never upscales', () => {
  it('360p + the source capped at 720p; 240p + 360p for a 360p source; one for a tiny one', () => {
    const names = (w: number, h: number) => ladder({ width: w, height: h }).map((r) => `${r.width}x${r.height}`)
    expect(names(1920, 1080)).toEqual(['640x360', '1280x720'])
    expect(names(1280, 720)).toEqual(['640x360', '1280x720'])
    expect(names(854, 480)).toEqual(['640x360', '854x480'])
    expect(names(640, 360)).toEqual(['426x240', '640x360'])
    expect(names(320, 180)).toEqual(['320x180'])
    // Portrait phone video: heights capped, widths follow the aspect, all even.
    expect(names(1080, 1920)).toEqual(['202x360', '406x720'])
  })
})

describe('ffmpeg and ffprobe, read and driven', () => {
  it('builds one pass with a rendition per rung, single-file byte-range HLS, audio only when there is some', () => {
    const info = { durationSeconds: 6, width: 1280, height: 720, hasAudio: true }
    const args = hlsArgs('/in.mp4', info, ladder(info), '/out')
    const at = (flag: string) => args[args.indexOf(flag) + 1]
    expect(at('-hls_flags')).toBe('single_file')
    expect(at('-var_stream_map')).toBe('v:0,a:0,name:360p v:1,a:1,name:720p')
    expect(at('-master_pl_name')).toBe('master.m3u8')
    expect(args.at(-1)).toBe('/out/%v.m3u8')
    const silent = hlsArgs('/in.mp4', { ...info, hasAudio: false }, ladder(info), '/out')
    expect(silent[silent.indexOf('-var_stream_map') + 1]).toBe('v:0,name:360p v:1,name:720p')
    expect(silent).not.toContain('0:a:0')
  })

  it('reads progress lines and the master playlist’s bandwidths', () => {
    expect(progressSeconds('out_time_us=2500000')).toBe(2.5)
    expect(progressSeconds('out_time_us=N/A')).toBeUndefined()
    const master =
      '#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-STREAM-INF:BANDWIDTH=545600,RESOLUTION=426x240,CODECS="avc1.4d4015,mp4a.40.2"\n240p.m3u8\n\n#EXT-X-STREAM-INF:BANDWIDTH=985600,RESOLUTION=640x360\n360p.m3u8\n'
    expect([...masterBandwidths(master)]).toEqual([
      ['240p.m3u8', 545600],
      ['360p.m3u8', 985600],
    ])
  })

  it('refuses what ffprobe shows is no video, no duration, or over the limits', () => {
    const probe = (o: object) => JSON.stringify(o)
    expect(() => readProbe('garbage')).toThrow(TranscodeFailure)
    expect(() => readProbe(probe({ streams: [{ codec_type: 'audio' }], format: { duration: '3' } }))).toThrow(
      'no video stream',
    )
    expect(() =>
      readProbe(probe({ streams: [{ codec_type: 'video', width: 10, height: 10, disposition: { attached_pic: 1 } }] })),
    ).toThrow('no video stream')
    expect(() => readProbe(probe({ streams: [{ codec_type: 'video', width: 10, height: 10 }], format: {} }))).toThrow(
      'no duration',
    )
    const info = readProbe(
      probe({
        streams: [{ codec_type: 'video', width: 640, height: 360 }, { codec_type: 'audio' }],
        format: { duration: '6.0231' },
      }),
    )
    expect(info).toEqual({ durationSeconds: 6.02, width: 640, height: 360, hasAudio: true })
    expect(() => checkLimits(info, { maxSeconds: 5, maxHeight: 2160 })).toThrow('--max-video-duration')
    expect(() => checkLimits(info, { maxSeconds: 60, maxHeight: 240 })).toThrow('--max-video-height')
    expect(() => checkLimits(info, { maxSeconds: 60, maxHeight: 360 })).not.toThrow()
  })
})
