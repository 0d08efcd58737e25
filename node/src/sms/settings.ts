/**
 * @module sms/settings
 * The SMS settings staff edit in the console: which provider, its keys, the sign name and the
 * three templates (reset code, verification code, notice), whether quick registration needs a
 * code sent to the phone, and the daily limits. The provider's secret is kept sealed
 * (AES-256-GCM under a key derived with HKDF from the node's key, for this use only) and is
 * never shown back: the console sees only that one is set and its last characters.
 *
 * Owns `sms-settings`: `current` → {@link StoredSmsSettings}.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { NodeKey } from '@shulin/federation/identity'
import { putOp, type Storage, type Sublevel } from '../storage/db.js'

const endpoint = z
  .string()
  .trim()
  .max(200)
  .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[::1\](:\d{1,5})?$/, 'invalid_endpoint')
const text = (max: number) => z.string().trim().max(max)

export const SmsTemplates = z.strictObject({
  /** Password reset code: parameters `code`, `minutes`. */
  reset: text(64).default(''),
  /** Phone verification code at registration: `code`, `minutes`. */
  verify: text(64).default(''),
  /** A notice (from the notification module): `text`. */
  notice: text(64).default(''),
})
export type SmsTemplates = z.infer<typeof SmsTemplates>

export const SmsLimits = z.strictObject({
  perPhonePerDay: z.number().int().min(1).max(100).default(5),
  perAddressPerDay: z.number().int().min(1).max(10_000).default(20),
})

/** What staff send: `secret` left out keeps the one saved. */
export const SmsSettingsInput = z.strictObject({
  provider: z.enum(['console', 'aliyun', 'tencent']),
  /** Alibaba AccessKey ID or Tencent SecretId. */
  keyId: text(128).default(''),
  secret: z.string().min(1).max(256).optional(),
  signName: text(32).default(''),
  /** Tencent SmsSdkAppId. */
  sdkAppId: text(32).default(''),
  region: text(32).default('ap-guangzhou'),
  /** A private or test endpoint (`host[:port]`); the provider's own when empty. */
  endpoint: endpoint.or(z.literal('')).default(''),
  templates: SmsTemplates.default({ reset: '', verify: '', notice: '' }),
  verifyPhoneAtRegistration: z.boolean().default(false),
  limits: SmsLimits.default({ perPhonePerDay: 5, perAddressPerDay: 20 }),
})
export type SmsSettingsInput = z.input<typeof SmsSettingsInput>

type Parsed = z.output<typeof SmsSettingsInput>
export type StoredSmsSettings = Omit<Parsed, 'secret'> & { sealedSecret: string | null }
/** What the console is shown: the secret only as "set, ending in …". */
export type SmsSettingsView = Omit<Parsed, 'secret'> & { secretSet: boolean; secretHint: string }

export const defaultSmsSettings: StoredSmsSettings = {
  ...SmsSettingsInput.parse({ provider: 'console' }),
  sealedSecret: null,
}

/** Seals secrets with AES-256-GCM under HKDF-SHA-256(node key, "shulin-sms-secret-v1"). */
export class SecretBox {
  readonly #key: Buffer
  /** `info` keeps each use's key apart (the SIP2 settings seal theirs under their own). */
  constructor(key: NodeKey, info = 'shulin-sms-secret-v1') {
    this.#key = Buffer.from(hkdfSync('sha256', key.privateKey.raw, Buffer.alloc(0), info, 32))
  }

  seal(plain: string): string {
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', this.#key, iv)
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
    return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64')
    const d = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12))
    d.setAuthTag(raw.subarray(12, 28))
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')
  }
}

export class SmsSettingsStore {
  readonly #db: Sublevel<StoredSmsSettings>
  readonly #box: SecretBox
  #current: StoredSmsSettings | undefined

  constructor(
    private readonly storage: Storage,
    key: NodeKey,
  ) {
    this.#db = storage.sublevel<StoredSmsSettings>('sms-settings')
    this.#box = new SecretBox(key)
  }

  async get(): Promise<StoredSmsSettings> {
    this.#current ??= { ...defaultSmsSettings, ...((await this.#db.get('current')) ?? {}) }
    return this.#current
  }

  /** The provider's secret in clear, for the SDK only. */
  async secret(): Promise<string> {
    const s = await this.get()
    return s.sealedSecret ? this.#box.open(s.sealedSecret) : ''
  }

  async save(input: z.output<typeof SmsSettingsInput>): Promise<SmsSettingsView> {
    const before = await this.get()
    const { secret, ...rest } = input
    const next: StoredSmsSettings = {
      ...rest,
      // A new provider's key never keeps the old provider's secret.
      sealedSecret: secret
        ? this.#box.seal(secret)
        : before.provider === input.provider && before.keyId === input.keyId
          ? before.sealedSecret
          : null,
    }
    await this.storage.commit([putOp(this.#db, 'current', next)], { sync: true })
    this.#current = next
    return this.view()
  }

  async view(): Promise<SmsSettingsView> {
    const { sealedSecret, ...rest } = await this.get()
    const secret = sealedSecret ? this.#box.open(sealedSecret) : ''
    // Four characters of a long secret help staff tell keys apart; a short one shows none.
    const hint = secret.length >= 16 ? `****${secret.slice(-4)}` : secret ? '****' : ''
    return { ...rest, secretSet: Boolean(secret), secretHint: hint }
  }
}
