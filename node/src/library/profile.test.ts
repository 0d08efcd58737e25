/**
 * The library's profile as its staff edit it: an admin saves a new name and public URL in the
 * console, and the portal's answer, the web manifest, share pages, OAI-PMH Identify, OPDS and the
 * links the node gives change at once — no restart; the saved values outlive a restart and win
 * over the start flags; clearing one gives the flag back. Librarians read but do not change it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'

let dir: string
let t: TempNode
let admin: Client
beforeAll(async () => {
  dir = await tempDir()
  t = await startTempNode({ dataDir: dir, name: '临安县图书馆' })
  admin = await signedInAdmin(t)
})
afterAll(() => t.close())

describe('library profile', () => {
  it('takes effect at once everywhere the library is named, and links follow the new public URL', async () => {
    const rec = await admin.post('/api/staff/resources', { type: 'book', metadata: { title: '临安县志' } })
    await admin.post(`/api/staff/resources/${rec.body.id}/publish`)
    expect((await admin.get('/api/library')).body).toMatchObject({ name: '临安县图书馆', publicUrl: null })

    const saved = await admin.put('/api/staff/library', {
      name: '临安区图书馆',
      contact: '0571-63700000',
      logoUrl: '/icon.svg',
      publicUrl: 'https://lib.linan.example/',
    })
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    expect(saved.body).toMatchObject({
      effective: { name: '临安区图书馆', publicUrl: 'https://lib.linan.example' },
      flags: { name: '临安县图书馆', publicUrl: null },
    })

    const anyone = new Client(t.node.url)
    expect((await anyone.get('/api/library')).body).toEqual({
      name: '临安区图书馆',
      logoUrl: '/icon.svg',
      contact: '0571-63700000',
      publicUrl: 'https://lib.linan.example',
      theme: null,
      network: null,
    })
    expect((await anyone.get('/manifest.webmanifest')).body).toMatchObject({ name: '临安区图书馆' })
    const share = (await anyone.get(`/share/${rec.body.id}`)).body as string
    expect(share).toContain('<title>临安县志 · 临安区图书馆</title>')
    expect(share).toContain(`https://lib.linan.example/share/${rec.body.id}`)
    const identify = (await anyone.get('/oai?verb=Identify')).body as string
    expect(identify).toContain('<repositoryName>临安区图书馆</repositoryName>')
    expect(identify).toContain('<baseURL>https://lib.linan.example/oai</baseURL>')
    expect((await anyone.get('/opds/v2/catalog.json')).body).toMatchObject({ metadata: { title: '临安区图书馆' } })
    expect((await admin.get('/api/staff/node')).body).toMatchObject({
      name: '临安区图书馆',
      publicUrl: 'https://lib.linan.example',
    })
  })

  it('refuses a librarian, bad values and unknown fields, changing nothing', async () => {
    await admin.post('/api/staff/accounts', {
      username: 'librarian1',
      password: 'librarian-pass-2026',
      role: 'librarian',
      name: '馆员',
    })
    const librarian = new Client(t.node.url)
    expect(
      (await librarian.post('/api/auth/login', { identifier: 'librarian1', password: 'librarian-pass-2026' })).status,
    ).toBe(200)
    expect((await librarian.get('/api/staff/library')).status).toBe(200)
    expect((await librarian.put('/api/staff/library', { name: '改名' })).status).toBe(403)

    for (const body of [
      { name: '' },
      { name: 'x'.repeat(65) },
      { name: '馆\n名' },
      { publicUrl: 'ftp://lib.example' },
      { publicUrl: 'https://lib.example/?a=1' },
      { logoUrl: 'javascript:alert(1)' },
      { logoUrl: '//evil.example/logo.png' },
      { colour: 'red' },
    ]) {
      const r = await admin.put('/api/staff/library', body)
      expect(r.status, JSON.stringify(body)).toBe(400)
    }
    expect((await admin.get('/api/library')).body.name).toBe('临安区图书馆')
  })

  it('keeps what was saved over a restart (the saved value wins over --name), and a cleared field falls back to the flag', async () => {
    await t.close()
    t = await startTempNode({ dataDir: dir, name: '临安县图书馆' })
    // The node's URL is now the saved public one; the test reaches it where it listens.
    const local = `http://127.0.0.1:${t.node.port}`
    expect(t.node.url).toBe('https://lib.linan.example')
    admin = new Client(local)
    await admin.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })
    expect((await admin.get('/api/library')).body.name).toBe('临安区图书馆')
    const cleared = await admin.put('/api/staff/library', { name: null, publicUrl: null })
    expect(cleared.status).toBe(200)
    expect((await admin.get('/api/library')).body).toMatchObject({ name: '临安县图书馆', publicUrl: null })
    const identify = (await admin.get('/oai?verb=Identify')).body as string
    expect(identify).toContain(`<baseURL>${local}/oai</baseURL>`)
  })
})
