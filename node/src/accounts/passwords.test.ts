import { hash, verify } from '@node-rs/argon2'
import { rm } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { Client, startTempNode, tempDir } from '../testing/temp-node.js'
import { openDataFolder } from '../storage/data-folder.js'
import { buildServices } from '../services.js'
import { consoleCodeSender } from './code-sender.js'
import { needsRehash, verifyPassword } from './passwords.js'
import { registrationsPerHour } from './service.js'
import type { AccountStore } from './store.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

/** A data folder holding one reader (phone 13800138000, password reading2026), its node stopped. */
async function folderWithReader(): Promise<string> {
  const dir = await tempDir()
  dirs.push(dir)
  const first = await startTempNode({ dataDir: dir })
  await new Client(first.node.url).post('/api/auth/register', {
    mode: 'quick',
    phone: '13800138000',
    password: 'reading2026',
  })
  await first.close()
  return dir
}

/** Works on a stopped node's accounts, as an older release (or an inspection) would. */
async function withAccounts<T>(dir: string, work: (accounts: AccountStore) => Promise<T>): Promise<T> {
  const folder = await openDataFolder(dir, { create: false })
  try {
    const services = buildServices(folder, { sender: consoleCodeSender(() => {}), passwordPolicy: 'standard' })
    return await work(services.accounts.store)
  } finally {
    await folder.storage.close()
  }
}

describe('password hashes', () => {
  it('knows which stored hashes are below today’s parameters', () => {
    expect(needsRehash('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(false)
    expect(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true)
    expect(needsRehash('$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true)
    expect(needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true)
  })

  it('upgrades a weaker hash when the reader next signs in', async () => {
    const dir = await folderWithReader()

    // An older release hashed with less memory.
    const weak = await hash('reading2026', { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 })
    const reader = await withAccounts(dir, async (accounts) => {
      const r = (await accounts.findBy('phone', '13800138000'))!
      await accounts.update(r.id, (x) => ({ ...x, passwordHash: weak }))
      return r
    })

    const second = await startTempNode({ dataDir: dir })
    expect(
      (
        await new Client(second.node.url).post('/api/auth/login', {
          identifier: '13800138000',
          password: 'reading2026',
        })
      ).status,
    ).toBe(200)
    await second.close()

    const upgraded = await withAccounts(dir, async (accounts) => (await accounts.get(reader.id))!.passwordHash!)
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  })
})

describe('passwords as Unicode text (issue 15, item 7)', () => {
  // "é" as one code point (NFC) and as e + combining acute (NFD): one password to a reader.
  const nfc = 'caf\u00e9-au-lait-2026'
  const nfd = 'cafe\u0301-au-lait-2026'

  it('refuses text with half a surrogate pair, so its variants cannot stand for it', async () => {
    const t = await startTempNode()
    try {
      const c = () => new Client(t.node.url, { 'accept-language': 'en' })
      const lone = await c().post('/api/auth/register', {
        mode: 'quick',
        phone: '13800138000',
        password: 'abcdefgh\ud800xyz',
      })
      expect(lone.status).toBe(400)
      expect(lone.body.errors).toEqual([
        expect.objectContaining({ pointer: '/password', detail: expect.stringMatching(/surrogate/) }),
      ])
      // Hashed as UTF-8, a lone surrogate became U+FFFD: the account a well-formed U+FFFD
      // password makes is the one the lone-surrogate variants used to sign in to.
      expect(
        (await c().post('/api/auth/register', { mode: 'quick', phone: '13800138000', password: 'abcdefgh\ufffdxyz' }))
          .status,
      ).toBe(201)
      for (const variant of ['abcdefgh\ud800xyz', 'abcdefgh\udfffxyz']) {
        const r = await c().post('/api/auth/login', { identifier: '13800138000', password: variant })
        expect(r.status, JSON.stringify(variant)).toBe(400)
        expect(r.body.code).toBe('validation_failed')
      }
      expect(
        (await c().post('/api/auth/login', { identifier: '13800138000', password: 'abcdefgh\ufffdxyz' })).status,
      ).toBe(200)
      expect(await verifyPassword(await hash('abcdefgh\ufffdxyz'), 'abcdefgh\udfffxyz')).toBe(false)
    } finally {
      await t.close()
    }
  })

  it('hashes the NFC form: a password typed composed or decomposed is the same password', async () => {
    const t = await startTempNode()
    try {
      expect(
        (
          await new Client(t.node.url).post('/api/auth/register', {
            mode: 'quick',
            phone: '13800138000',
            password: nfd,
          })
        ).status,
      ).toBe(201)
      expect(
        (await new Client(t.node.url).post('/api/auth/login', { identifier: '13800138000', password: nfc })).status,
      ).toBe(200)
      expect(
        (await new Client(t.node.url).post('/api/auth/login', { identifier: '13800138000', password: nfd })).status,
      ).toBe(200)
    } finally {
      await t.close()
    }
  })

  it('a reader whose hash was made before normalisation still signs in, and the hash is redone in NFC', async () => {
    const dir = await folderWithReader()

    // An older release hashed the password exactly as typed, here decomposed.
    const legacy = await hash(nfd, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 })
    const reader = await withAccounts(dir, async (accounts) => {
      const r = (await accounts.findBy('phone', '13800138000'))!
      await accounts.update(r.id, (x) => ({ ...x, passwordHash: legacy }))
      return r
    })
    expect(await verifyPassword(legacy, nfd)).toBe('unnormalised')
    expect(await verifyPassword(legacy, nfc)).toBe(false)

    const second = await startTempNode({ dataDir: dir })
    expect(
      (
        await new Client(second.node.url).post('/api/auth/login', {
          identifier: '13800138000',
          password: 'wrong-password',
        })
      ).status,
    ).toBe(401)
    expect(
      (await new Client(second.node.url).post('/api/auth/login', { identifier: '13800138000', password: nfd })).status,
    ).toBe(200)
    // Rehashed from the NFC form: the composed spelling now signs in too.
    expect(
      (await new Client(second.node.url).post('/api/auth/login', { identifier: '13800138000', password: nfc })).status,
    ).toBe(200)
    await second.close()

    const redone = await withAccounts(dir, async (accounts) => (await accounts.get(reader.id))!.passwordHash!)
    expect(redone).not.toBe(legacy)
    expect(await verify(redone, nfc)).toBe(true)
    expect(await verifyPassword(redone, nfd)).toBe('normalised')
  })
})

describe('cookies behind a TLS proxy', () => {
  it('uses a __Host- Secure cookie when the request came over https', async () => {
    const t = await startTempNode({ trustProxy: true })
    try {
      const c = new Client(t.node.url, { 'x-forwarded-proto': 'https' })
      const r = await c.post('/api/auth/register', { mode: 'quick', phone: '13800138000', password: 'reading2026' })
      const cookie = r.headers.get('set-cookie')!
      expect(cookie).toMatch(/^__Host-shulin_session=/)
      expect(cookie).toMatch(/Secure/)
      expect(cookie).toMatch(/Path=\//)
      expect((await c.get('/api/me')).status).toBe(200)
    } finally {
      await t.close()
    }
  })

  it('limits registrations from one address', async () => {
    const t = await startTempNode()
    try {
      const statuses: number[] = []
      for (let i = 0; i <= registrationsPerHour; i++) {
        statuses.push(
          (
            await new Client(t.node.url).post('/api/auth/register', {
              mode: 'quick',
              phone: `1380013${String(i).padStart(4, '0')}`,
              password: 'reading2026',
            })
          ).status,
        )
      }
      expect(statuses.slice(0, registrationsPerHour).every((s) => s === 201)).toBe(true)
      expect(statuses[registrationsPerHour]).toBe(429)
    } finally {
      await t.close()
    }
  })
})
