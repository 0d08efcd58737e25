/**
 * The embeds on another site, in Chromium: a page served by a tiny static server on another
 * 127.0.0.1 port loads `embed.js` from the node with one script tag and shows
 * `<shulin-course>`; its lecture's master playlist, rendition playlist and fragments are
 * fetched cross-origin (CORS `*`, no credentials), the host page's CSS does not reach into the
 * embed nor the embed's out, `<shulin-search>` finds the lecture by a transcript sentence with
 * its second, and the iframe page `/embed/lectures/:id` is framed from there.
 *
 * Debian's Chromium may lack H.264 decoding (no proprietary codecs): the test asserts what the
 * browser can truly do — with H.264 the video plays past 0 s; without it, the manifest and
 * fragments still come cross-origin and the player falls back to the original, which the
 * browser then also cannot decode — and says which it saw.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import { rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { signedInAdmin, startTempNode, tempDir, type TempNode } from '../../node/src/testing/temp-node.js'
import { makeVideo, until } from '../../node/src/testing/videos.js'
import { hasChromium, launch, shot } from './browser.js'

const vtt = `WEBVTT

00:00:01.000 --> 00:00:03.000
今天我们讲柳永。

00:00:04.000 --> 00:00:06.000
杨柳岸晓风残月。
`

describe.skipIf(!hasChromium)('embeds on another site', () => {
  let t: TempNode
  let dir: string
  let site: Server
  let siteUrl: string
  let browser: Browser
  let courseId: string
  let lectureId: string
  /** The host page served for each path. */
  const pages = new Map<string, string>()

  beforeAll(async () => {
    dir = await tempDir()
    t = await startTempNode()
    const staff = await signedInAdmin(t)
    courseId = (await staff.post('/api/courses', { title: '宋词十讲', description: '从柳永到辛弃疾' })).body.id
    lectureId = (await staff.post(`/api/courses/${courseId}/lectures`, { title: '第一讲 柳永' })).body.id
    const video = await import('node:fs/promises').then(async (fs) => fs.readFile(await makeVideo(dir, 'lecture')))
    expect((await staff.put(`/api/lectures/${lectureId}/video`, video, { 'content-type': 'video/mp4' })).status).toBe(
      202,
    )
    await staff.put(`/api/lectures/${lectureId}/subtitles/zh`, Buffer.from(vtt), { 'content-type': 'text/vtt' })
    expect((await staff.post(`/api/courses/${courseId}/publish`)).status).toBe(200)
    await until('the lecture transcoded', async () => {
      const l = (await staff.get(`/api/lectures/${lectureId}`)).body
      return l.status === 'ready' ? { done: l } : { last: l.status }
    })
    await t.node.search.ready()

    // Another origin: the same address, another port.
    site = createServer((req, res) => {
      const body = pages.get(req.url ?? '')
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' })
      res.end(body ?? 'not found')
    })
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r))
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
    browser = await launch()
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await new Promise((r) => site?.close(r))
    await t?.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** A page of the library's own site with the host's own, deliberately greedy, CSS. */
  const hostPage = (body: string) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>县图书馆</title>
<style>h2 { color: rgb(255, 0, 0) !important; } li { background: rgb(255, 255, 0); } body { font-family: serif; }</style>
<script type="module" src="${t.node.url}/embed.js"></script></head>
<body><h2 id="own">本馆公开课</h2>${body}</body></html>`

  async function open(
    path: string,
    body: string,
  ): Promise<{ page: Page; seen: Array<{ url: string; status: number; acao: string | null }> }> {
    pages.set(path, hostPage(body))
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 900 }, locale: 'zh-CN' })).newPage()
    const seen: Array<{ url: string; status: number; acao: string | null }> = []
    page.on('response', (r) => {
      if (r.url().startsWith(t.node.url))
        seen.push({ url: r.url(), status: r.status(), acao: r.headers()['access-control-allow-origin'] ?? null })
    })
    await page.goto(siteUrl + path)
    return { page, seen }
  }

  it('shows <shulin-course> from one script tag and loads its lecture cross-origin', async () => {
    const { page, seen } = await open('/course.html', `<shulin-course course="${courseId}"></shulin-course>`)
    const title = page.locator('shulin-course h2')
    await title.waitFor()
    expect(await title.textContent()).toBe('宋词十讲')
    await page.locator('shulin-course li button', { hasText: '第一讲 柳永' }).waitFor()
    const player = page.locator('shulin-course shulin-player')
    await until(
      'the manifest and a fragment loaded',
      async () => {
        const d = await player.evaluate((el: HTMLElement) => ({ ...el.dataset }))
        return d.manifest && Number(d.fragments ?? 0) > 0 ? { done: d } : { last: d }
      },
      30_000,
    )
    const h264 = await page.evaluate(() => MediaSource.isTypeSupported('video/mp4; codecs="avc1.64001f"'))
    const video = player.locator('video')
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true
      return v.play().catch(() => undefined)
    })
    const state = await until(
      'the player settled',
      async () => {
        const s = await player.evaluate((el: HTMLElement) => {
          const v = el.shadowRoot!.querySelector('video')!
          return { engine: el.dataset.engine, time: v.currentTime, error: v.error?.code ?? null, ready: v.readyState }
        })
        return (h264 ? s.time > 0.5 : s.engine === 'file' || s.error !== null) ? { done: s } : { last: s }
      },
      30_000,
    )
    console.log(
      `embed playback in this Chromium: H.264 ${h264 ? 'decodes' : 'is not decodable'}; player state ${JSON.stringify(state)}`,
    )
    if (h264) expect(state).toMatchObject({ engine: 'hls.js' })

    // What came from the node, all readable by this other origin.
    const from = (re: RegExp) => seen.filter((s) => re.test(new URL(s.url).pathname))
    expect(from(/^\/embed\.js$/)).toEqual([expect.objectContaining({ status: 200, acao: '*' })])
    expect(from(/^\/embed-chunks\/hls/)[0]).toMatchObject({ status: 200, acao: '*' })
    expect(from(/^\/api\/courses\/[^/]+$/)[0]).toMatchObject({ status: 200, acao: '*' })
    expect(from(/\/hls\/master\.m3u8$/)[0]).toMatchObject({ status: 200, acao: '*' })
    expect(from(/\/hls\/\d+p\.m3u8$/)[0]).toMatchObject({ status: 200, acao: '*' })
    expect(from(/\/hls\/\d+p\.ts$/).length).toBeGreaterThan(0)
    for (const s of from(/\/hls\/\d+p\.ts$/)) expect(s).toMatchObject({ acao: '*' })
    expect([200, 206]).toContain(from(/\/hls\/\d+p\.ts$/)[0]!.status)

    // No CSS crosses the shadow boundary either way.
    const colours = await page.evaluate(() => ({
      own: getComputedStyle(document.getElementById('own')!).color,
      embedded: getComputedStyle(document.querySelector('shulin-course')!.shadowRoot!.querySelector('h2')!).color,
      embeddedItem: getComputedStyle(document.querySelector('shulin-course')!.shadowRoot!.querySelector('li')!)
        .backgroundColor,
      bodyFont: getComputedStyle(document.body).fontFamily,
    }))
    expect(colours.own).toBe('rgb(255, 0, 0)')
    expect(colours.embedded).toBe('rgb(31, 58, 95)')
    expect(colours.embeddedItem).not.toBe('rgb(255, 255, 0)')
    expect(colours.bodyFont).toBe('serif')
    await shot(page, 'embed-course-other-origin')
  }, 120_000)

  it('<shulin-search> finds the lecture by a transcript sentence, linking to its second', async () => {
    const { page } = await open('/search.html', '<shulin-search></shulin-search>')
    await page.locator('shulin-search input').fill('杨柳岸晓风残月')
    await page.locator('shulin-search button').click()
    const hit = page.locator('shulin-search li a')
    await hit.waitFor()
    expect(await hit.getAttribute('href')).toBe(`${t.node.url}/lectures/${lectureId}?t=4`)
    expect(await page.locator('shulin-search li').textContent()).toContain('0:04')
    await shot(page, 'embed-search-other-origin')
  }, 60_000)

  it('frames the iframe page of a public lecture from another site', async () => {
    const { page } = await open(
      '/frame.html',
      `<iframe src="${t.node.url}/embed/lectures/${lectureId}?t=2" width="640" height="480"></iframe>`,
    )
    const frame = page.frameLocator('iframe')
    await until(
      'the framed player has its manifest',
      async () => {
        const d = await frame
          .locator('shulin-player')
          .evaluate((el: HTMLElement) => ({ ...el.dataset }))
          .catch(() => ({}))
        return (d as Record<string, string>).manifest ? { done: d } : { last: d }
      },
      30_000,
    )
    expect(await frame.locator('shulin-player').getAttribute('start')).toBe('2')
    await shot(page, 'embed-iframe-other-origin')
  }, 60_000)
})
