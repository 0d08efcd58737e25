/**
 * `shulin live add` and the RTMP ingest as an operator meets them, through the built CLI and a
 * real node process: a lecture scheduled with the node stopped and one with it running (the
 * contract's last JSON line), ffmpeg pushing the test pattern to `rtmpUrl/streamKey` on the
 * port `--rtmp-port` set, the lecture live with its playlist; a wrong key refused with the node
 * serving; without ffmpeg, scheduling works and says why no encoder can push.
 */
import { spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../node/src/testing/free-port.js'
import { until } from '../../node/src/testing/videos.js'
import { killAll, run, start, removeWork } from './processes.js'

const admin = ['--username', 'libadmin', '--password', 'county-library-2026']

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-live-'))
})
afterAll(async () => {
  await killAll()
  await removeWork(work)
})

const lastJson = (stdout: string) =>
  JSON.parse(stdout.trim().split('\n').at(-1)!) as { liveId: string; rtmpUrl: string; streamKey: string }

function push(url: string, seconds: number): Promise<number | null> {
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine'],
      ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25'],
      ...['-c:a', 'aac', '-f', 'flv', url],
    ],
    { stdio: 'ignore' },
  )
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    }),
  )
}

describe('shulin live add and the RTMP ingest', () => {
  it('schedules with the node stopped and running; an encoder pushes to rtmpUrl/streamKey and it is live', async () => {
    const data = join(work, 'node')
    expect((await run(['admin', 'create', '--data', data, ...admin])).code).toBe(0)
    const rtmpPort = await freePort()
    const start1 = '2026-12-03T20:00:00+08:00'
    const stopped = await run(['live', 'add', '--title', '宋词直播', '--start', start1, '--data', data], {
      SHULIN_RTMP_PORT: String(rtmpPort),
    })
    expect(stopped.code, stopped.stderr).toBe(0)
    const early = lastJson(stopped.stdout)
    expect(early.rtmpUrl).toBe(`rtmp://127.0.0.1:${rtmpPort}/live`)

    const bad = await run(['live', 'add', '--title', 'x', '--data', data])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--start')

    const node = await start(['--data', data, '--port', '0', '--rtmp-port', String(rtmpPort)])
    const running = await run(['live', 'add', '--title', '第二场', '--start', start1, '--data', data])
    expect(running.code, running.stderr).toBe(0)
    const created = lastJson(running.stdout)
    expect(created.rtmpUrl).toBe(`rtmp://127.0.0.1:${rtmpPort}/live`)
    expect(created.streamKey).not.toBe(early.streamKey)

    // A wrong key is refused; the node goes on serving.
    expect(await push(`${created.rtmpUrl}/not-the-key`, 2)).not.toBe(0)
    expect((await fetch(`${node.url}/api/health`)).ok).toBe(true)

    // The lecture scheduled while the node was stopped takes its encoder.
    const pushing = push(`${early.rtmpUrl}/${early.streamKey}`, 4)
    const view = await until(
      'the lecture live with segments',
      async () => {
        const v = (await (await fetch(`${node.url}/api/live/${early.liveId}`)).json()) as {
          status: string
          hls: string | null
        }
        if (v.status !== 'live' || !v.hls) return { last: v }
        const p = await fetch(v.hls)
        const text = p.ok ? await p.text() : ''
        return text.includes('.ts') ? { done: { ...v, playlist: text } } : { last: text }
      },
      20_000,
    )
    expect(view.playlist).toContain('#EXTM3U')
    expect(await pushing).toBe(0)
    const other = (await (await fetch(`${node.url}/api/live/${created.liveId}`)).json()) as { status: string }
    expect(other.status).toBe('scheduled')
  }, 90_000)

  it('without ffmpeg: scheduling works and says why no encoder can push yet', async () => {
    const data = join(work, 'no-ffmpeg')
    expect((await run(['admin', 'create', '--data', data, ...admin])).code).toBe(0)
    await start(['--data', data, '--port', '0', '--rtmp-port', '0'], { SHULIN_FFMPEG: '/nonexistent/ffmpeg' })
    const r = await run(['live', 'add', '--title', '无编码器', '--start', '2026-12-03T20:00:00+08:00', '--data', data])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/warning: live ingest cannot start: ffmpeg \(\/nonexistent\/ffmpeg\) does not run/)
    expect(lastJson(r.stdout).liveId).toEqual(expect.any(String))
  }, 60_000)
})
