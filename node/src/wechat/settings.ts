/**
 * @module wechat/settings
 * The official account's settings saved in the console (sublevel `wechat-settings`). The
 * AppSecret, token and EncodingAESKey are stored encrypted (AES-256-GCM under a key derived
 * from the node key with HKDF, for this use only), so a copy of the database alone does not
 * give them away; they are never sent back to the console. The token may also come from
 * SHULIN_WECHAT_TOKEN; the console's, once saved, wins.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import type { NodeKey } from '@shulin/federation/identity'
import type { WechatSettingsUpdate } from '@shulin/protocol'
import { getOrUndefined, putOp, type Storage, type Sublevel } from '../storage/db.js'

interface Stored {
  appId: string
  /** Each secret as base64(iv ‖ tag ‖ ciphertext), or empty. */
  secret: string
  token: string
  aesKey: string
  welcome: string
  template?: string
}

/** The settings in effect, decrypted (for the node's own use only). */
export interface WechatSettings {
  appId: string
  secret: string
  token: string
  tokenSource: 'console' | 'flag' | 'none'
  aesKey: string
  welcome: string
  template: string
}

const info = 'shulin-wechat-settings-v1'
const empty: Stored = { appId: '', secret: '', token: '', aesKey: '', welcome: '' }

export class WechatSettingsStore {
  readonly #db: Sublevel<Stored>
  readonly #key: Buffer
  #cached: Stored | undefined

  constructor(private readonly opts: { storage: Storage; key: NodeKey; flagToken?: string | undefined }) {
    this.#db = opts.storage.sublevel<Stored>('wechat-settings')
    this.#key = Buffer.from(hkdfSync('sha256', opts.key.privateKey.raw, Buffer.alloc(0), info, 32))
  }

  async #stored(): Promise<Stored> {
    this.#cached ??= { ...empty, ...(await getOrUndefined(this.#db, 'current')) }
    return this.#cached
  }

  async current(): Promise<WechatSettings> {
    const s = await this.#stored()
    const token = this.#open(s.token)
    const flag = this.opts.flagToken ?? ''
    return {
      appId: s.appId,
      secret: this.#open(s.secret),
      token: token || flag,
      tokenSource: token ? 'console' : flag ? 'flag' : 'none',
      aesKey: this.#open(s.aesKey),
      welcome: s.welcome,
      template: s.template ?? '',
    }
  }

  async update(u: WechatSettingsUpdate): Promise<void> {
    const s = { ...(await this.#stored()) }
    if (u.appId !== undefined) s.appId = u.appId
    if (u.secret !== undefined) s.secret = this.#seal(u.secret)
    if (u.token !== undefined) s.token = this.#seal(u.token)
    if (u.aesKey !== undefined) s.aesKey = this.#seal(u.aesKey)
    if (u.welcome !== undefined) s.welcome = u.welcome
    if (u.template !== undefined) s.template = u.template
    await this.opts.storage.commit([putOp(this.#db, 'current', s)], { sync: true })
    this.#cached = s
  }

  #seal(plain: string): string {
    if (!plain) return ''
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', this.#key, iv)
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')
  }

  #open(sealed: string): string {
    if (!sealed) return ''
    const raw = Buffer.from(sealed, 'base64')
    const d = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12))
    d.setAuthTag(raw.subarray(12, 28))
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')
  }
}
