import { request } from 'node:http'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../../testing/temp-node.js'
import { epub, epubEntries, mp3, mp4, pdf, png, zip } from '../../testing/fixtures.js'

async function countFiles(dir: string): Promise<number> {
  let n = 0
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) if (e.isFile()) n++
  return n
}

describe('files: upload, extraction, ranges, access', () => {
  let t: TempNode
  let staff: Client
  let reader: Client
  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
    reader = new Client(t.node.url)
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13800138000', password: 'reading2026' })
    await reader.post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })
  })
  afterAll(() => t.close())

  const create = async (type: string, title: string, extra: object = {}) => {
    const r = await staff.post('/api/staff/resources', { type, metadata: { title }, ...extra })
    expect(r.status).toBe(201)
    return r.body.id as string
  }
  const upload = (id: string, bytes: Buffer, type: string, extra: Record<string, string> = {}) =>
    staff.put(`/api/staff/resources/${id}/files/content`, bytes, { 'content-type': type, ...extra })

  it('reads an EPUB’s metadata, table of contents and cover, and makes a thumbnail', async () => {
    const id = await create('book', '春江花月夜（馆藏本）')
    const r = await upload(id, epub(), 'application/epub+zip', {
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent('../春江.epub')}`,
    })
    expect(r.status).toBe(200)
    expect(r.body.metadata).toMatchObject({
      title: '春江花月夜（馆藏本）',
      creators: ['张若虚'],
      publisher: '人民文学出版社',
      date: '1998-05-01',
      identifiers: ['urn:isbn:9787020002207'],
    })
    expect(r.body.toc.map((c: { title: string }) => c.title)).toEqual(['第一章 春江', '第二章 花月'])
    const roles = r.body.files.map((f: { role: string }) => f.role).sort()
    expect(roles).toEqual(['content', 'cover', 'thumbnail'])
    expect(r.body.files.find((f: { role: string }) => f.role === 'content')).toMatchObject({
      mediaType: 'application/epub+zip',
      name: '春江.epub',
    })
    await staff.post(`/api/staff/resources/${id}/publish`)
    const anon = new Client(t.node.url)
    const thumb = await anon.get(`/api/resources/${id}/files/thumbnail`)
    expect(thumb.status).toBe(200)
    expect(thumb.headers.get('content-type')).toBe('image/webp')
    const cover = await anon.get(`/api/resources/${id}/files/cover`)
    expect(Buffer.compare(cover.body as Buffer, png)).toBe(0)
  })

  it('reads page counts, audio and video durations', async () => {
    const book = await create('book', 'PDF 书')
    expect((await upload(book, pdf(3), 'application/pdf')).body.metadata.extent).toEqual({ pages: 3 })
    const audio = await create('audiobook', '有声书')
    const a = await upload(audio, mp3(3), 'audio/mpeg')
    expect(a.status).toBe(200)
    expect(a.body.metadata.extent.durationSeconds).toBeCloseTo(3, 0)
    const video = await create('video', '公开课')
    const v = await upload(video, mp4(5), 'video/mp4')
    expect(v.status).toBe(200)
    expect(v.body.metadata.extent.durationSeconds).toBe(5)
  })

  it('serves byte ranges, ETags, 304 and 416; HEAD has no body', async () => {
    const id = await create('book', '范围请求')
    const bytes = pdf(5)
    await upload(id, bytes, 'application/pdf')
    await staff.post(`/api/staff/resources/${id}/publish`)
    const anon = new Client(t.node.url)
    const path = `/api/resources/${id}/content`
    const full = await anon.get(path)
    expect(full.status).toBe(200)
    expect(full.headers.get('accept-ranges')).toBe('bytes')
    expect(full.headers.get('cache-control')).toContain('public')
    expect(full.headers.get('content-disposition')).toMatch(
      /^inline; filename="[^"]*\.pdf"; filename\*=UTF-8''%E8%8C%83/,
    )
    expect(Buffer.compare(full.body as Buffer, bytes)).toBe(0)
    const etag = full.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/)

    const part = await anon.get(path, { range: 'bytes=10-19' })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`)
    expect(Buffer.compare(part.body as Buffer, bytes.subarray(10, 20))).toBe(0)
    const tail = await anon.get(path, { range: 'bytes=-7' })
    expect(Buffer.compare(tail.body as Buffer, bytes.subarray(bytes.length - 7))).toBe(0)
    const open = await anon.get(path, { range: `bytes=${bytes.length - 3}-` })
    expect((open.body as Buffer).length).toBe(3)
    const past = await anon.get(path, { range: `bytes=${bytes.length}-` })
    expect(past.status).toBe(416)
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`)
    expect((past.body as { code: string }).code).toBe('range_not_satisfiable')
    // Several ranges or nonsense: the whole file, as RFC 9110 allows.
    expect((await anon.get(path, { range: 'bytes=0-1,5-6' })).status).toBe(200)
    expect((await anon.get(path, { range: 'pages=1' })).status).toBe(200)
    expect((await anon.get(path, { 'if-none-match': etag })).status).toBe(304)
    expect((await anon.get(path, { range: 'bytes=0-3', 'if-range': '"stale"' })).status).toBe(200)
    expect((await anon.get(path, { range: 'bytes=0-3', 'if-range': etag })).status).toBe(206)
    const head = await fetch(t.node.url + path, { method: 'HEAD' })
    expect(head.headers.get('content-length')).toBe(String(bytes.length))
    expect((await head.arrayBuffer()).byteLength).toBe(0)
  })

  it('checks access by policy: 401 with a Basic challenge, 403 for readers on staff-only, 404 for drafts', async () => {
    const members = await create('book', '读者专享', { access: 'node-readers' })
    const staffOnly = await create('book', '馆员内部', { access: 'staff' })
    const draft = await create('book', '草稿')
    for (const id of [members, staffOnly, draft]) await upload(id, pdf(1), 'application/pdf')
    for (const id of [members, staffOnly]) await staff.post(`/api/staff/resources/${id}/publish`)
    const anon = new Client(t.node.url)
    const denied = await anon.get(`/api/resources/${members}/content`)
    expect(denied.status).toBe(401)
    expect(denied.headers.get('www-authenticate')).toMatch(/^Basic realm=/)
    const ok = await reader.get(`/api/resources/${members}/content`)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('cache-control')).toContain('private')
    expect((await reader.get(`/api/resources/${staffOnly}/content`)).status).toBe(403)
    expect((await anon.get(`/api/resources/${draft}/content`)).status).toBe(404)
    expect((await staff.get(`/api/resources/${draft}/content`)).status).toBe(200)
    // Reading apps sign in with HTTP Basic (card number or phone + password).
    const basic = (cred: string) => ({ authorization: `Basic ${Buffer.from(cred).toString('base64')}` })
    expect((await anon.get(`/api/resources/${members}/content`, basic('13800138000:reading2026'))).status).toBe(200)
    expect((await anon.get(`/api/resources/${members}/content`, basic('13800138000:wrong-password'))).status).toBe(401)
  })

  it('refuses lying types, corrupt files, zip bombs, traversal and symlinks — keeping nothing', async () => {
    const id = await create('book', '坏文件')
    const blobsBefore = await countFiles(join(t.dir, 'blobs'))
    const cases: Array<[Buffer, string, RegExp]> = [
      [pdf(1), 'application/epub+zip', /application\/pdf, not application\/epub\+zip/],
      [mp3(1), 'application/pdf', /not application\/pdf/],
      [Buffer.from('just text, not a book'), 'application/pdf', /not a recognised file type/],
      [epub().subarray(0, 300), 'application/epub+zip', /EPUB|damaged/],
      [Buffer.concat([pdf(2).subarray(0, 200), Buffer.alloc(100, 0x20)]), 'application/pdf', /damaged|unreadable/],
      [
        zip([...epubEntries(), { name: '../../../etc/evil', data: 'x' }]),
        'application/epub+zip',
        /unsafe entry name|invalid relative path/,
      ],
      [
        zip([...epubEntries(), { name: 'OEBPS/link', data: '/etc/passwd', symlink: true }]),
        'application/epub+zip',
        /symbolic link/,
      ],
      [
        zip([...epubEntries(), { name: 'OEBPS/bomb.xhtml', data: Buffer.alloc(64 * 1024 * 1024) }]),
        'application/epub+zip',
        /expands/,
      ],
      [
        zip([
          ...epubEntries(),
          { name: 'OEBPS/liar.xhtml', data: deflateRawSync(Buffer.alloc(10)), claimedSize: 2 * 1024 ** 3 },
        ]),
        'application/epub+zip',
        /expands|size/,
      ],
      [mp4(2), 'application/pdf', /not application\/pdf/],
      [png, 'application/pdf', /image\/png/],
    ]
    for (const [bytes, type, detail] of cases) {
      const r = await upload(id, bytes, type)
      expect(r.status, `${type} ${detail}`).toBe(422)
      expect((r.body as { code: string; detail: string }).code).toBe('file_rejected')
      expect((r.body as { detail: string }).detail).toMatch(detail)
    }
    const after = await staff.get(`/api/staff/resources/${id}`)
    expect(after.body.files).toEqual([])
    expect(after.body.revision).toBe(1)
    expect(await countFiles(join(t.dir, 'blobs'))).toBe(blobsBefore)
    expect(await readdir(join(t.dir, 'tmp'))).toEqual([])
    expect((await staff.put(`/api/staff/resources/${id}/files/content`, pdf(1))).status).toBe(415)
    expect(
      (await staff.put(`/api/staff/resources/${id}/files/whatever`, pdf(1), { 'content-type': 'application/pdf' }))
        .status,
    ).toBe(404)
  })

  it('an upload cut off mid-body leaves nothing behind, and the node keeps serving', async () => {
    const id = await create('book', '中断上传')
    const bytes = pdf(50)
    const url = new URL(`/api/staff/resources/${id}/files/content`, t.node.url)
    await new Promise<void>((resolve) => {
      const req = request(url, {
        method: 'PUT',
        headers: {
          'content-type': 'application/pdf',
          'content-length': String(bytes.length * 4),
          cookie: staff.cookie!,
          'x-csrf-token': staff.csrf!,
        },
      })
      req.on('error', () => resolve())
      req.on('response', (res) => {
        res.resume()
        resolve()
      })
      req.write(bytes)
      setTimeout(() => req.destroy(), 200)
    })
    for (let i = 0; i < 50 && (await readdir(join(t.dir, 'tmp'))).length; i++)
      await new Promise((r) => setTimeout(r, 20))
    expect(await readdir(join(t.dir, 'tmp'))).toEqual([])
    expect((await staff.get(`/api/staff/resources/${id}`)).body.files).toEqual([])
    expect((await staff.get('/api/health')).status).toBe(200)
    // …and the same record takes a whole upload afterwards.
    expect((await upload(id, pdf(1), 'application/pdf', { 'x-test': '1' })).status).toBe(200)
  })

  it('stores identical content once, and collects blobs nothing references', async () => {
    const a = await create('book', '甲')
    const b = await create('book', '乙')
    const bytes = pdf(7)
    const ra = await upload(a, bytes, 'application/pdf')
    const rb = await upload(b, bytes, 'application/pdf')
    const sha = ra.body.files[0].blob
    expect(rb.body.files[0].blob).toBe(sha)
    const before = await countFiles(join(t.dir, 'blobs'))
    await upload(a, pdf(8), 'application/pdf')
    await upload(b, pdf(9), 'application/pdf')
    const { blobs, files, collections } = t.node.services
    const referenced = new Set([...(await files.referencedBlobs()), ...(await collections.referencedBlobs())])
    expect(referenced.has(sha)).toBe(false)
    expect((await blobs.collectGarbage(referenced, 60_000)).removed).toBe(0)
    t.clock.now += 120_000
    const gc = await blobs.collectGarbage(referenced, 60_000)
    expect(gc.removed).toBeGreaterThanOrEqual(1)
    expect(await countFiles(join(t.dir, 'blobs'))).toBe(before + 2 - gc.removed)
    expect(await blobs.info(sha)).toBeUndefined()
  })

  it('builds an image set (图集) one image at a time, with a thumbnail from the first', async () => {
    const id = await create('image-set', '老照片')
    const add = () => staff.post(`/api/staff/resources/${id}/files/page-image`, png, { 'content-type': 'image/png' })
    expect((await add()).status).toBe(200)
    const second = await add()
    expect(second.body.metadata.extent).toEqual({ items: 2 })
    expect(second.body.files.map((f: { role: string }) => f.role).sort()).toEqual([
      'page-image',
      'page-image',
      'thumbnail',
    ])
    expect(
      (await staff.post(`/api/staff/resources/${id}/files/page-image`, pdf(1), { 'content-type': 'application/pdf' }))
        .status,
    ).toBe(422)
    const book = await create('book', '不是图集')
    expect(
      (await staff.post(`/api/staff/resources/${book}/files/page-image`, png, { 'content-type': 'image/png' })).status,
    ).toBe(422)
    expect(
      (await staff.put(`/api/staff/resources/${id}/files/page-image`, png, { 'content-type': 'image/png' })).status,
    ).toBe(404)
    await staff.post(`/api/staff/resources/${id}/publish`)
    const anon = new Client(t.node.url)
    expect(((await anon.get(`/api/resources/${id}/images/2`)).body as Buffer).equals(png)).toBe(true)
    expect((await anon.get(`/api/resources/${id}/images/3`)).status).toBe(404)
    expect((await anon.get(`/api/resources/${id}/images/0`)).status).toBe(404)
  })

  it('refuses a file over the size limit with 413', async () => {
    const small = await startTempNode({ maxUploadBytes: 4096 })
    try {
      const s = await signedInAdmin(small)
      const id = (await s.post('/api/staff/resources', { type: 'book', metadata: { title: '大文件' } })).body.id
      const r = await s.put(`/api/staff/resources/${id}/files/content`, pdf(200), { 'content-type': 'application/pdf' })
      expect(r.status).toBe(413)
      expect(await readdir(join(small.dir, 'tmp'))).toEqual([])
      // Sent chunked (no length to check first), it is counted as it streams and refused the same.
      const chunked = await fetch(`${small.node.url}/api/staff/resources/${id}/files/content`, {
        method: 'PUT',
        headers: { 'content-type': 'application/pdf', cookie: s.cookie!, 'x-csrf-token': s.csrf! },
        body: new Blob([pdf(200)]).stream(),
        duplex: 'half',
      } as RequestInit)
      expect(chunked.status).toBe(413)
      expect(await readdir(join(small.dir, 'tmp'))).toEqual([])
    } finally {
      await small.close()
    }
  })
})
