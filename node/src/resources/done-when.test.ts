/**
 * Issue 3's acceptance path end to end on one node: staff upload an EPUB, a PDF, an MP3 and
 * an MP4 over the API; they appear in OPDS and OAI-PMH; a reader opens each through range
 * requests, and their reading progress survives a restart of the node.
 */
import { afterAll, describe, expect, it } from 'vitest'
import OPDSParser from 'opds-feed-parser'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { epub, mp3, mp4, pdf } from '../testing/fixtures.js'

describe('resources, end to end', () => {
  let t: TempNode
  afterAll(() => t.close())

  it('upload four kinds of file → OPDS and OAI-PMH → ranged reading → progress survives a restart', async () => {
    const dir = await tempDir()
    t = await startTempNode({ dataDir: dir })
    const staff = await signedInAdmin(t)
    const files = [
      {
        type: 'book',
        title: '春江花月夜',
        bytes: epub(),
        mediaType: 'application/epub+zip',
        position: { kind: 'epub', cfi: 'epubcfi(/6/4!/4/2/1:12)' },
      },
      {
        type: 'book',
        title: '县志（影印本）',
        bytes: pdf(12),
        mediaType: 'application/pdf',
        position: { kind: 'pdf', page: 9 },
      },
      {
        type: 'audiobook',
        title: '评书·杨家将',
        bytes: mp3(4),
        mediaType: 'audio/mpeg',
        position: { kind: 'time', seconds: 2.5 },
      },
      {
        type: 'video',
        title: '非遗公开课',
        bytes: mp4(6),
        mediaType: 'video/mp4',
        position: { kind: 'time', seconds: 4 },
      },
    ]
    const ids: string[] = []
    for (const f of files) {
      const id = (
        await staff.post('/api/staff/resources', { type: f.type, metadata: { title: f.title }, access: 'node-readers' })
      ).body.id
      const up = await staff.put(`/api/staff/resources/${id}/files/content`, f.bytes, { 'content-type': f.mediaType })
      expect(up.status, f.title).toBe(200)
      expect((await staff.post(`/api/staff/resources/${id}/publish`)).status).toBe(200)
      ids.push(id)
    }

    const feed = await new OPDSParser().parse((await new Client(t.node.url).get('/opds/v1.2/new.xml')).body as string)
    for (const f of files) {
      const entry = feed.entries.find((e) => e.title === f.title)
      expect(entry, f.title).toBeDefined()
      expect(entry!.links.find((l) => l.rel === 'http://opds-spec.org/acquisition')).toMatchObject({
        type: f.mediaType,
      })
    }
    const oai = (await new Client(t.node.url).get('/oai?verb=ListRecords&metadataPrefix=oai_dc')).body as string
    for (const f of files) expect(oai).toContain(`<dc:title>${f.title}</dc:title>`)

    const reader = new Client(t.node.url)
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13300133000', password: 'reading2026' })
    await reader.post('/api/auth/login', { identifier: '13300133000', password: 'reading2026', remember: true })
    for (const [i, f] of files.entries()) {
      const path = `/api/resources/${ids[i]}/content`
      const head = await reader.get(path, { range: 'bytes=0-15' })
      expect(head.status, f.title).toBe(206)
      const rest = await reader.get(path, { range: 'bytes=16-' })
      expect(rest.status).toBe(206)
      expect(Buffer.concat([head.body as Buffer, rest.body as Buffer]).equals(f.bytes)).toBe(true)
      const saved = await reader.put(`/api/me/reading/${ids[i]}/progress`, {
        position: f.position,
        percentage: 0.5,
        device: '手机',
        at: new Date().toISOString(),
      })
      expect(saved.status).toBe(200)
    }

    await t.close()
    t = await startTempNode({ dataDir: dir })
    const again = new Client(t.node.url)
    await again.post('/api/auth/login', { identifier: '13300133000', password: 'reading2026' })
    for (const [i, f] of files.entries()) {
      expect((await again.get(`/api/me/reading/${ids[i]}`)).body.progress.position, f.title).toEqual(f.position)
      expect((await again.get(`/api/resources/${ids[i]}/content`, { range: 'bytes=0-0' })).status).toBe(206)
    }
  })
})
