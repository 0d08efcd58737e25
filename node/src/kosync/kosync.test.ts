import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { epub, pdf } from '../testing/fixtures.js'
import { openStorage } from '../storage/db.js'
import { koreaderBinaryId } from './document-id.js'
import { KosyncService } from './service.js'
import { ResourceService } from '../resources/service.js'
import { ReadingService } from '../reading/service.js'
import { BlobStore } from '../blobs/store.js'

const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex')

/**
 * KOReader's "binary" id as its plugin documents it: MD5 over 1024-byte samples at 0, then at
 * 1024 · 4^i for i = 0…10, stopping at the first sample that starts at or past the end.
 */
function expectedBinaryId(bytes: Buffer): string {
  const samples: Buffer[] = []
  for (const offset of [0, ...Array.from({ length: 11 }, (_, i) => 1024 * 4 ** i)]) {
    if (offset >= bytes.length) break
    samples.push(bytes.subarray(offset, offset + 1024))
  }
  return md5(Buffer.concat(samples))
}

/**
 * Requests as KOReader's KOSyncClient sends them (Spore with its Format.JSON, GinClient and
 * KOSyncAuth middlewares): a JSON body, the v1 Accept header, and the user and MD5 of the
 * password in `x-auth-user` / `x-auth-key`.
 */
class Koreader {
  constructor(
    readonly url: string,
    readonly username: string,
    readonly password: string,
  ) {}
  async send(method: string, path: string, payload?: object, auth = true) {
    const headers: Record<string, string> = { accept: 'application/vnd.koreader.v1+json' }
    if (payload) headers['content-type'] = 'application/json'
    if (auth) Object.assign(headers, { 'x-auth-user': this.username, 'x-auth-key': md5(this.password) })
    const res = await fetch(this.url + path, {
      method,
      headers,
      ...(payload ? { body: JSON.stringify(payload) } : {}),
      signal: AbortSignal.timeout(10_000),
    })
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any }
  }
  register = () => this.send('POST', '/users/create', { username: this.username, password: md5(this.password) }, false)
  authorize = () => this.send('GET', '/users/auth')
  updateProgress = (document: string, progress: string | number, percentage: number, device: string) =>
    this.send('PUT', '/syncs/progress', {
      document,
      progress: String(progress),
      percentage,
      device,
      device_id: md5(device).toUpperCase(),
    })
  getProgress = (document: string) => this.send('GET', `/syncs/progress/${document}`)
}

describe('KOReader progress sync (kosync)', () => {
  let t: TempNode
  let reader: Client
  let key: { username: string; key: string; url: string }
  let kobo: Koreader
  let book: string
  let novel: string
  const pdfBytes = pdf(40)
  const epubBytes = epub({ title: '三体' })
  beforeAll(async () => {
    t = await startTempNode({ dataDir: await tempDir() })
    const staff = await signedInAdmin(t)
    book = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '史记' } })).body.id
    await staff.put(`/api/staff/resources/${book}/files/content`, pdfBytes, { 'content-type': 'application/pdf' })
    await staff.post(`/api/staff/resources/${book}/publish`)
    novel = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '三体' } })).body.id
    const up = await staff.put(`/api/staff/resources/${novel}/files/content?name=santi.epub`, epubBytes, {
      'content-type': 'application/epub+zip',
    })
    expect(up.status).toBe(200)
    await staff.post(`/api/staff/resources/${novel}/publish`)
    reader = new Client(t.node.url)
    await reader.post('/api/auth/register', { mode: 'quick', phone: '13700137000', password: 'reading2026' })
    await reader.post('/api/auth/login', { identifier: '13700137000', password: 'reading2026' })
    t.clock.now = Date.now()
    const made = await reader.post('/api/me/kosync')
    expect(made.status).toBe(200)
    key = made.body
    kobo = new Koreader(key.url, key.username, key.key)
  })
  afterAll(() => t.close())

  it('gives the reader a key for KOReader, shown once, with the server address', async () => {
    expect(key.url).toBe(`${t.node.url}/kosync`)
    expect(key.key).toMatch(/^[a-z0-9]{16}$/)
    const status = (await reader.get('/api/me/kosync')).body
    expect(status).toMatchObject({ url: key.url, username: key.username })
    expect(JSON.stringify(status)).not.toContain(key.key)
  })

  it('signs KOReader in with the key and refuses a wrong one as the plugin expects', async () => {
    expect(await kobo.authorize()).toMatchObject({ status: 200, body: { authorized: 'OK' } })
    const wrong = await new Koreader(key.url, key.username, 'not-the-key').authorize()
    expect(wrong).toMatchObject({ status: 401, body: { code: 2001, message: 'Unauthorized' } })
    expect(wrong.type).toMatch(/^application\/json/)
    expect((await new Koreader(key.url, 'nobody', key.key).authorize()).status).toBe(401)
    // "Register" in KOReader: the name is taken (log in instead); a new name is sent to the library page.
    expect(await kobo.register()).toMatchObject({ status: 402, body: { code: 2002 } })
    const fresh = await new Koreader(key.url, 'someone-new', 'secret').register()
    expect(fresh).toMatchObject({ status: 402, body: { code: 2005 } })
  })

  it('matches a PDF by its binary id and meets the web reader both ways, newest wins', async () => {
    const document = expectedBinaryId(pdfBytes)
    const put = await kobo.updateProgress(document, 12, 0.3, 'Kobo Libra 2')
    expect(put.status).toBe(200)
    expect(put.body).toEqual({ document, timestamp: Math.floor(t.clock.now / 1000) })
    // The web reader shows where the Kobo is.
    const web = (await reader.get(`/api/me/reading/${book}`)).body
    expect(web.progress).toMatchObject({ position: { kind: 'pdf', page: 12 }, percentage: 0.3, device: 'Kobo Libra 2' })
    // Later the reader goes on in the browser; the Kobo pulls that.
    t.clock.now += 60_000
    const at = new Date(t.clock.now).toISOString()
    const saved = await reader.put(`/api/me/reading/${book}/progress`, {
      position: { kind: 'pdf', page: 20 },
      percentage: 0.5,
      device: '我的手机',
      at,
    })
    expect(saved.body.progressApplied).toBe(true)
    const pulled = await kobo.getProgress(document)
    expect(pulled).toMatchObject({
      status: 200,
      body: { document, progress: '20', percentage: 0.5, device: '我的手机' },
    })
    // And the Kobo, read later still, wins again.
    t.clock.now += 60_000
    await kobo.updateProgress(document, 25, 0.625, 'Kobo Libra 2')
    expect((await kobo.getProgress(document)).body).toMatchObject({ progress: '25', device: 'Kobo Libra 2' })
    expect((await reader.get(`/api/me/reading/${book}`)).body.progress.position).toEqual({ kind: 'pdf', page: 25 })
  })

  it('matches an EPUB by its file name too, converting the chapter both ways', async () => {
    const byName = md5('santi.epub')
    const xpointer = '/body/DocFragment[2]/body/div/p[3]/text().0'
    t.clock.now += 60_000
    expect((await kobo.updateProgress(byName, xpointer, 0.75, 'PocketBook')).status).toBe(200)
    const web = (await reader.get(`/api/me/reading/${novel}`)).body
    expect(web.progress).toMatchObject({ position: { kind: 'epub', cfi: 'epubcfi(/6/4!/4)' }, percentage: 0.75 })
    // The same book by its binary id, on another device: the same progress, as sent.
    const binary = expectedBinaryId(epubBytes)
    expect(await koreaderBinaryId(await writeTemp(epubBytes))).toBe(binary)
    t.clock.now += 60_000
    await reader.put(`/api/me/reading/${novel}/progress`, {
      position: { kind: 'epub', cfi: 'epubcfi(/6/2!/4/2/1:0)' },
      percentage: 0.1,
      device: '电脑',
      at: new Date(t.clock.now).toISOString(),
    })
    expect((await kobo.getProgress(binary)).body).toMatchObject({
      progress: '/body/DocFragment[1]/body',
      percentage: 0.1,
      device: '电脑',
    })
  })

  it('keeps progress in documents the node does not hold for the reader’s other devices', async () => {
    const elsewhere = md5('my-own-book.epub')
    expect((await kobo.getProgress(elsewhere)).body).toEqual({ document: elsewhere })
    await kobo.updateProgress(elsewhere, '/body/DocFragment[9]/body/p', 0.9, 'Kindle')
    expect((await kobo.getProgress(elsewhere)).body).toMatchObject({
      progress: '/body/DocFragment[9]/body/p',
      device: 'Kindle',
    })
    // Another reader's key sees none of it.
    const other = new Client(t.node.url)
    await other.post('/api/auth/register', { mode: 'quick', phone: '13700137001', password: 'reading2026' })
    await other.post('/api/auth/login', { identifier: '13700137001', password: 'reading2026' })
    const theirs = (await other.post('/api/me/kosync')).body
    expect((await new Koreader(theirs.url, theirs.username, theirs.key).getProgress(elsewhere)).body).toEqual({
      document: elsewhere,
    })
  })

  it('answers malformed requests with the plugin’s error shapes, never a 500', async () => {
    const send = (body: string) =>
      fetch(`${key.url}/syncs/progress`, {
        method: 'PUT',
        headers: {
          accept: 'application/vnd.koreader.v1+json',
          'content-type': 'application/json',
          'x-auth-user': key.username,
          'x-auth-key': md5(key.key),
        },
        body,
      }).then(async (r) => ({ status: r.status, body: await r.json() }))
    expect(await send('{not json')).toEqual({
      status: 403,
      body: { code: 2004, message: "Field 'document' not provided." },
    })
    expect(
      (await send(JSON.stringify({ document: 'a:b', progress: '1', percentage: 0.1, device: 'x' }))).body.code,
    ).toBe(2004)
    expect(await send(JSON.stringify({ document: 'abc', progress: '1', percentage: 'lots', device: 'x' }))).toEqual({
      status: 403,
      body: { code: 2003, message: 'Invalid request' },
    })
    expect((await send(JSON.stringify({ document: 'abc', percentage: 0.2, device: 'x' }))).body.code).toBe(2003)
    expect((await send(JSON.stringify([1, 2]))).status).toBe(403)
    expect((await kobo.send('POST', '/users/create', { username: 1 }, false)).body.code).toBe(2003)
    // An empty document id is the server's, not the web UI's.
    const empty = await fetch(`${key.url}/syncs/progress/`, { headers: { accept: 'application/vnd.koreader.v1+json' } })
    expect(empty.status).toBe(404)
    expect(empty.headers.get('content-type')).not.toMatch(/html/)
  })

  it('stops KOReader at once when the reader revokes the key', async () => {
    expect((await reader.call('DELETE', '/api/me/kosync')).status).toBe(200)
    expect((await kobo.authorize()).status).toBe(401)
    expect((await kobo.updateProgress(md5('x'), 1, 0.1, 'Kobo')).status).toBe(401)
    expect((await reader.get('/api/me/kosync')).body).toMatchObject({ username: null })
  })
})

describe('KOReader binary document id', () => {
  it('samples the file at 0 and 1 KiB · 4^i, as KOReader does', async () => {
    for (const size of [10, 1024, 1025, 5000, 70_000, 2_000_000]) {
      const bytes = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 10)) & 255))
      expect(await koreaderBinaryId(await writeTemp(bytes))).toBe(expectedBinaryId(bytes))
    }
  })
})

async function writeTemp(bytes: Buffer): Promise<string> {
  const path = join(await tempDir('kosync-'), 'file')
  await writeFile(path, bytes)
  return path
}

describe('KOReader document ids for files stored before', () => {
  it('are computed when the node starts', async () => {
    const dir = await tempDir()
    const bytes = pdf(30)
    let t = await startTempNode({ dataDir: dir })
    const staff = await signedInAdmin(t)
    const id = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '汉书' } })).body.id
    await staff.put(`/api/staff/resources/${id}/files/content`, bytes, { 'content-type': 'application/pdf' })
    await staff.post(`/api/staff/resources/${id}/publish`)
    await t.close()
    // As a folder from before KOReader sync: no document ids.
    const storage = await openStorage(join(dir, 'db'), { create: false, dataDir: dir })
    await storage.sublevel('kosync-documents').clear()
    await storage.sublevel('kosync-blobs').clear()
    await storage.close()
    t = await startTempNode({ dataDir: dir })
    try {
      const reader = new Client(t.node.url)
      await reader.post('/api/auth/register', { mode: 'quick', phone: '13700137002', password: 'reading2026' })
      await reader.post('/api/auth/login', { identifier: '13700137002', password: 'reading2026' })
      const key = (await reader.post('/api/me/kosync')).body
      const kobo = new Koreader(key.url, key.username, key.key)
      t.clock.now = Date.now()
      expect((await kobo.updateProgress(expectedBinaryId(bytes), 7, 0.2, 'Kobo')).status).toBe(200)
      expect((await reader.get(`/api/me/reading/${id}`)).body.progress?.position).toEqual({ kind: 'pdf', page: 7 })
    } finally {
      await t.close()
    }
  })
})

describe('KOReader progress kept per reader', () => {
  it('stops at the cap for new documents, and still updates the ones kept', async () => {
    const dir = await tempDir()
    const storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    try {
      const resources = new ResourceService({ storage, nodeId: 'node' })
      const kosync = new KosyncService(storage, {
        reading: new ReadingService(storage),
        records: resources.records,
        blobs: new BlobStore(storage, dir),
        account: async () => undefined,
        maxDocuments: 3,
      })
      const sent = (document: string) => ({ document, progress: '1', percentage: 0.1, device: 'Kobo', device_id: '' })
      for (const d of ['a', 'b', 'c']) expect(await kosync.update('reader', sent(d))).not.toBe('too_many_documents')
      expect(await kosync.update('reader', sent('d'))).toBe('too_many_documents')
      expect(await kosync.update('reader', { ...sent('a'), progress: '9' })).not.toBe('too_many_documents')
      expect((await kosync.progress('reader', 'a'))?.progress).toBe('9')
      expect(await kosync.update('another-reader', sent('d'))).not.toBe('too_many_documents')
    } finally {
      await storage.close()
    }
  })
})
