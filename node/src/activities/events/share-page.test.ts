/**
 * The share page of a recitation entry over HTTP on a real node: a reader's entry (real audio,
 * transcoded by the node) gets a page with Open Graph tags — its title, who read it for which
 * activity, the audio and the activity's cover, the library's name — with every title and name
 * escaped (HTML in them stays text); unknown entries get a 404 page.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../../testing/temp-node.js'

const run = promisify(execFile)
const hour = 3_600_000
const evilActivity = '诵读<script>alert("活动")</script>'
const evilEntry = '静夜思</title><script>alert(1)</script>" onload="x'
const evilLibrary = '城南<b>图书馆</b> & "书林"'

/** The content of `<meta property="…">` as a browser would read it (entities decoded). */
function meta(page: string, property: string): string | undefined {
  const m = new RegExp(`<meta property="${property}" content="([^"]*)">`).exec(page)
  return m?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

describe('the share page of an entry', () => {
  let t: TempNode
  let staff: Client
  let reader: Client
  let activity: string
  let entry: string
  let dir: string

  beforeAll(async () => {
    dir = await tempDir()
    t = await startTempNode({ name: evilLibrary })
    staff = await signedInAdmin(t)
    reader = new Client(t.node.url)
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13700137000', password: 'reading2026' }))
        .status,
    ).toBe(201)
    const created = await staff.post('/api/staff/activities', {
      kind: 'recitation',
      title: evilActivity,
      cover: '/covers/spring.jpg',
      phases: {
        submission: {
          from: new Date(t.clock.now - hour).toISOString(),
          to: new Date(t.clock.now + 24 * hour).toISOString(),
        },
      },
    })
    expect(created.status).toBeLessThan(300)
    activity = created.body.id
    // Six seconds of a tone: real audio for the node's own checks and transcode.
    const wav = join(dir, 'reading.wav')
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=6', wav])
    const form = new FormData()
    form.set('title', evilEntry)
    form.set('audio', new Blob([await readFile(wav)], { type: 'audio/wav' }), 'reading.wav')
    const res = await fetch(`${t.node.url}/api/activities/${activity}/entries`, {
      method: 'POST',
      body: form,
      headers: { cookie: reader.cookie!, 'x-csrf-token': reader.csrf! },
    })
    const body = (await res.json()) as { id: string }
    expect(res.status, JSON.stringify(body)).toBeLessThan(300)
    entry = body.id
    // Until its audio is ready the page is a plain website; then it is a song with its audio.
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      const page = await fetch(`${t.node.url}/share/entries/${entry}`).then((r) => r.text())
      if (meta(page, 'og:type') === 'music.song') break
      await new Promise((r) => setTimeout(r, 200))
    }
  }, 90_000)
  afterAll(async () => {
    await t?.close()
  })

  it('carries the Open Graph tags of the entry, escaped', async () => {
    const res = await fetch(`${t.node.url}/share/entries/${entry}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    const page = await res.text()
    const base = t.node.url
    expect(meta(page, 'og:type')).toBe('music.song')
    expect(meta(page, 'og:title')).toBe(evilEntry)
    expect(meta(page, 'og:site_name')).toBe(evilLibrary)
    expect(meta(page, 'og:description')).toContain(evilActivity)
    expect(meta(page, 'og:url')).toBe(`${base}/share/entries/${entry}`)
    expect(meta(page, 'og:audio')).toBe(`${base}/api/activities/${activity}/entries/${entry}/audio`)
    expect(meta(page, 'og:image')).toBe(`${base}/covers/spring.jpg`)
    // The HTML in the titles and the library's name stayed text: one script-free page.
    expect(page).not.toContain('<script')
    expect(page).not.toContain('<b>')
    expect(page).not.toContain('" onload="')
    expect(page).toContain('&lt;script&gt;')
    expect(page.match(/<title>/g)).toHaveLength(1)
    // A way into the portal, and the audio it points to plays.
    expect(page).toContain(`href="/activities/${activity}/entries/${entry}"`)
    const audio = await fetch(meta(page, 'og:audio')!)
    expect(audio.status).toBe(200)
    expect(audio.headers.get('content-type')).toMatch(/^audio\//)
  })

  it('answers a 404 page for an unknown entry', async () => {
    for (const id of ['no-such-entry', '%3Cscript%3E']) {
      const res = await fetch(`${t.node.url}/share/entries/${id}`)
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toContain('text/html')
      const page = await res.text()
      expect(page).toContain('作品不存在')
      expect(page).not.toContain('<script')
      expect(page).not.toContain('og:title')
    }
  })

  it('answers a 404 page while the entry’s activity is withdrawn', async () => {
    expect((await staff.post(`/api/staff/activities/${activity}/withdraw`)).status).toBe(200)
    const gone = await fetch(`${t.node.url}/share/entries/${entry}`)
    expect(gone.status).toBe(404)
    expect(await gone.text()).not.toContain(evilEntry.slice(0, 3))
    expect((await staff.post(`/api/staff/activities/${activity}/publish`)).status).toBe(200)
    expect((await fetch(`${t.node.url}/share/entries/${entry}`)).status).toBe(200)
  })
})
