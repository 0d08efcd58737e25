/**
 * The parts of the official account that need no node: the safe-mode cipher against its
 * documented layout, the replay guard's window, and a search slower than the deadline
 * answered with the text fallback in time (the search service is replaced by one that never
 * answers — the stand-in for an engine stuck on a huge index).
 */
import { createDecipheriv } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStorage } from '../storage/db.js'
import { WechatCipher, WechatCipherError, wechatSignature } from './crypto.js'
import { readXml, InboundMessage, WechatXmlError } from './message.js'
import { ReplayGuard } from './replay.js'
import { WechatService } from './service.js'

const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'

describe('the safe-mode cipher', () => {
  it('lays out random ‖ length ‖ message ‖ AppID, PKCS#7 to 32 bytes, IV = key[0..16]', () => {
    const c = new WechatCipher(aesKey, 'wx0123456789abcdef')
    const encrypted = c.encrypt('<xml>静夜思</xml>', Buffer.alloc(16, 7))
    const key = Buffer.from(aesKey + '=', 'base64')
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
    const plain = Buffer.concat([d.update(Buffer.from(encrypted, 'base64')), d.final()])
    expect(plain.length % 32).toBe(0)
    const pad = plain[plain.length - 1]!
    expect(pad).toBeGreaterThan(0)
    expect(pad).toBeLessThanOrEqual(32)
    const body = Buffer.from('<xml>静夜思</xml>')
    expect(plain.subarray(0, 16)).toEqual(Buffer.alloc(16, 7))
    expect(plain.readUInt32BE(16)).toBe(body.length)
    expect(plain.subarray(20, 20 + body.length).toString()).toBe('<xml>静夜思</xml>')
    expect(plain.subarray(20 + body.length, plain.length - pad).toString()).toBe('wx0123456789abcdef')
    expect(c.decrypt(encrypted)).toBe('<xml>静夜思</xml>')
  })

  it('refuses another AppID’s message and a damaged ciphertext', () => {
    const mine = new WechatCipher(aesKey, 'wx0123456789abcdef')
    const theirs = new WechatCipher(aesKey, 'wxffffffffffffffff')
    expect(() => mine.decrypt(theirs.encrypt('<xml/>'))).toThrow(WechatCipherError)
    expect(() => mine.decrypt('AAAA')).toThrow(WechatCipherError)
  })

  it('signs over the sorted parts', () => {
    expect(wechatSignature('b', 'a', 'c')).toBe(wechatSignature('a', 'b', 'c'))
    expect(wechatSignature('token', '1', '2')).toMatch(/^[0-9a-f]{40}$/)
  })
})

describe('reading XML', () => {
  it('reads CDATA as text and leaves entity references unexpanded', () => {
    const m = readXml(
      '<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>' +
        '<CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[<b>&amp;</b>]]></Content></xml>',
      InboundMessage,
    )
    expect(m.Content).toBe('<b>&amp;</b>')
  })
  it('refuses a DOCTYPE however it is spelled', () => {
    expect(() => readXml('<!doctype xml><xml/>', InboundMessage)).toThrow(WechatXmlError)
  })
})

describe('the replay guard', () => {
  it('refuses a timestamp outside the window and a key seen inside it', () => {
    let now = 1_700_000_000_000
    const g = new ReplayGuard({ windowSeconds: 300, now: () => now })
    const ts = String(now / 1000)
    expect(g.check(ts, ['nonce:1'])).toBe('fresh')
    expect(g.check(ts, ['nonce:1'])).toBe('replayed')
    expect(g.check(String(now / 1000 - 301), ['nonce:2'])).toBe('stale')
    now += 299_000
    expect(g.check(ts, ['nonce:1'])).toBe('replayed')
  })
  it('stays bounded', () => {
    const g = new ReplayGuard({ maxEntries: 10 })
    const ts = String(Math.floor(Date.now() / 1000))
    for (let i = 0; i < 100; i++) g.check(ts, [`k${i}`])
    expect(g.check(ts, ['k99'])).toBe('replayed')
    expect(g.check(ts, ['k0'])).toBe('fresh')
  })
})

describe('a search slower than the deadline', () => {
  it('answers with a text linking to the portal’s search, in time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shulin-wechat-'))
    const storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    try {
      let searches = 0
      const service = new WechatService({
        storage,
        search: { search: () => (searches++, new Promise(() => {})) },
        libraryName: () => '县图书馆',
        welcome: async () => '欢迎',
        deadlineMs: 50,
      })
      const t0 = Date.now()
      const reply = await service.reply(
        { ToUserName: 'gh', FromUserName: 'o1', CreateTime: '1', MsgType: 'text', Content: '静夜思' },
        'https://lib.example',
      )
      expect(Date.now() - t0).toBeLessThan(2000)
      expect(searches).toBe(1)
      expect(reply).toContain('<MsgType><![CDATA[text]]></MsgType>')
      expect(reply).toContain(`https://lib.example/search?q=${encodeURIComponent('静夜思')}`)
    } finally {
      await storage.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
