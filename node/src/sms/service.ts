/**
 * @module sms/service
 * Text messages from the node: password-reset codes (as the accounts' {@link CodeSender}),
 * phone verification codes at quick registration, and notices. Sends through the provider the
 * console configured (Alibaba or Tencent), or through the console sender (the node's log) when
 * none is; always through the {@link SmsOutbox}, so a provider down or slow never blocks a
 * request. Daily limits per phone and per client address; codes are kept only as HMACs.
 *
 * Owns `sms-codes`: HMAC(phone) → {@link PhoneCode}; `sms-limits`: `<day>:p:<HMAC(phone)>` and
 * `<day>:a:<address>` → count.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto'
import type { Agent } from 'node:http'
import type { Locale } from '@shulin/protocol'
import type { NodeKey } from '@shulin/federation/identity'
import type { CodeMessage, CodeSender } from '../accounts/code-sender.js'
import { ProblemError } from '../http/problem.js'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { SmsOutbox, type OutboxOptions } from './outbox.js'
import { aliyunProvider, SmsSendError, tencentProvider, type ProviderMessage, type SmsProvider } from './providers.js'
import { SmsSettingsStore, type StoredSmsSettings } from './settings.js'

interface PhoneCode {
  hash: string
  expiresAt: number
  tries: number
}

export const verifyCodeValidMinutes = 10
/** Wrong codes tried before a phone's code is void (a new one must be asked for). */
export const maxCodeTries = 5

export interface SmsServiceOptions {
  storage: Storage
  key: NodeKey
  /** The node's identifier key: HMACs of phones and codes. */
  identifierKey: Buffer
  /** Used when the console sets no provider: the node's log, or a test's memory. */
  fallback: CodeSender
  now?: () => number
  /** One provider try's time limit. */
  timeoutMs?: number
  outbox?: OutboxOptions
  /** Routes the Tencent SDK's connections (tests: a loopback stand-in under Tencent's host name). */
  tencentAgent?: Agent
}

/** The day a limit counts in: China's calendar day (UTC+8), when readers expect it to reset. */
const dayOf = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10)
const secondsToNextDay = (ms: number) => {
  const local = ms + 8 * 3_600_000
  return Math.ceil((86_400_000 - (local % 86_400_000)) / 1000)
}

export class SmsService {
  readonly settings: SmsSettingsStore
  readonly outbox: SmsOutbox
  readonly #codes: Sublevel<PhoneCode>
  readonly #limits: Sublevel<number>
  readonly #now: () => number
  /** Serialises limit counts and code checks: each is counted before the next is read. */
  #chain: Promise<unknown> = Promise.resolve()
  #provider: { settings: StoredSmsSettings; provider: SmsProvider } | undefined

  constructor(private readonly opts: SmsServiceOptions) {
    this.settings = new SmsSettingsStore(opts.storage, opts.key)
    this.#codes = opts.storage.sublevel<PhoneCode>('sms-codes')
    this.#limits = opts.storage.sublevel<number>('sms-limits')
    this.#now = opts.now ?? Date.now
    this.outbox = new SmsOutbox({ now: this.#now, ...opts.outbox })
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn)
    this.#chain = run.catch(() => {})
    return run
  }

  #mac(data: string): string {
    return createHmac('sha256', this.opts.identifierKey).update(data).digest('base64url')
  }

  /** The configured provider, rebuilt when the settings change; undefined for the console sender. */
  async #currentProvider(): Promise<SmsProvider | undefined> {
    const settings = await this.settings.get()
    if (settings.provider === 'console') return undefined
    if (this.#provider?.settings === settings) return this.#provider.provider
    const secret = await this.settings.secret()
    const timing = { timeoutMs: this.opts.timeoutMs ?? 5000 }
    const endpoint = settings.endpoint || undefined
    const provider =
      settings.provider === 'aliyun'
        ? aliyunProvider(
            { accessKeyId: settings.keyId, accessKeySecret: secret, signName: settings.signName, endpoint },
            timing,
          )
        : tencentProvider(
            {
              secretId: settings.keyId,
              secretKey: secret,
              signName: settings.signName,
              sdkAppId: settings.sdkAppId,
              region: settings.region,
              endpoint,
            },
            timing,
            this.opts.tencentAgent ? { agent: this.opts.tencentAgent } : {},
          )
    this.#provider = { settings, provider }
    return provider
  }

  /** Sends through the outbox; resolves after at most the outbox's short wait. */
  async #send(phone: string, message: CodeMessage | { purpose: 'notice'; text: string }): Promise<'sent' | 'queued'> {
    const validMs = 'validMinutes' in message ? message.validMinutes * 60_000 : 24 * 3_600_000
    return this.outbox.submit({
      phone,
      kind: message.purpose,
      expiresAt: this.#now() + validMs,
      deliver: async () => {
        const provider = await this.#currentProvider()
        if (!provider) {
          if (message.purpose === 'notice') return // the console sender carries codes only
          return this.opts.fallback.send({ phone }, message)
        }
        const settings = await this.settings.get()
        const template = {
          'password-reset': settings.templates.reset,
          'phone-verification': settings.templates.verify,
          notice: settings.templates.notice,
        }[message.purpose]
        if (!template) throw new SmsSendError(`no template set for ${message.purpose}`, false)
        const params: ProviderMessage['params'] =
          message.purpose === 'notice'
            ? [['text', message.text]]
            : [
                ['code', message.code],
                ['minutes', String(message.validMinutes)],
              ]
        await provider.send(phone, { template, params })
      },
    })
  }

  /**
   * Counts one text to `phone` (and from `address`, when a reader asked) against today's limits;
   * false when either is spent (nothing is counted then).
   */
  async #takeLimit(phone: string, address: string | undefined): Promise<boolean> {
    const { limits } = await this.settings.get()
    return this.#serial(async () => {
      const day = dayOf(this.#now())
      const pk = `${day}:p:${this.#mac(`phone:${phone}`)}`
      const ak = `${day}:a:${address ?? ''}`
      const p = (await this.#limits.get(pk)) ?? 0
      const a = address ? ((await this.#limits.get(ak)) ?? 0) : 0
      if (p >= limits.perPhonePerDay || a >= limits.perAddressPerDay) return false
      const ops = [putOp(this.#limits, pk, p + 1)]
      if (address) ops.push(putOp(this.#limits, ak, a + 1))
      // Yesterday's counts are of no use: dropped as today's first count is written.
      if (p === 0) for await (const k of this.#limits.keys({ lt: `${day}:` })) ops.push(delOp(this.#limits, k))
      await this.opts.storage.commit(ops, { sync: false })
      return true
    })
  }

  /** The accounts' code sender: reset codes through the configured provider, within the phone's limit. */
  readonly codeSender: CodeSender = {
    name: 'sms',
    send: async (to, message) => {
      // The reset answer is the same either way; a spent phone just gets no more texts today.
      if (!(await this.#takeLimit(to.phone, undefined))) return
      await this.#send(to.phone, message)
    },
  }

  /** Whether quick registration needs a code sent to the phone (a console setting, off by default). */
  async verificationRequired(): Promise<boolean> {
    return (await this.settings.get()).verifyPhoneAtRegistration
  }

  /** Sends a verification code to `phone`; 429 past the phone's or the address's daily limit. */
  async requestPhoneCode(phone: string, address: string, locale: Locale): Promise<'sent' | 'queued'> {
    if (!(await this.#takeLimit(phone, address)))
      throw new ProblemError('too_many_attempts', { retryAfterSeconds: secondsToNextDay(this.#now()) })
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
    const key = this.#mac(`phone:${phone}`)
    const entry: PhoneCode = {
      hash: this.#mac(`verify:${phone}:${code}`),
      expiresAt: this.#now() + verifyCodeValidMinutes * 60_000,
      tries: 0,
    }
    await this.opts.storage.commit([putOp(this.#codes, key, entry)], { sync: true })
    return this.#send(phone, { purpose: 'phone-verification', code, validMinutes: verifyCodeValidMinutes, locale })
  }

  /** Whether `code` is the phone's live code, using it up if so; each wrong try counts. */
  async checkPhoneCode(phone: string, code: string): Promise<boolean> {
    return this.#serial(async () => {
      const key = this.#mac(`phone:${phone}`)
      const entry = await this.#codes.get(key)
      if (!entry || entry.expiresAt <= this.#now() || entry.tries >= maxCodeTries) return false
      const given = Buffer.from(this.#mac(`verify:${phone}:${code}`))
      const want = Buffer.from(entry.hash)
      if (given.length === want.length && timingSafeEqual(given, want)) {
        await this.opts.storage.commit([delOp(this.#codes, key)], { sync: true })
        return true
      }
      await this.opts.storage.commit([putOp(this.#codes, key, { ...entry, tries: entry.tries + 1 })], { sync: true })
      return false
    })
  }

  /** A notice text (the notification module's SMS channel), within the phone's daily limit. */
  async sendNotice(phone: string, text: string): Promise<'sent' | 'queued' | 'limited'> {
    if (!(await this.#takeLimit(phone, undefined))) return 'limited'
    return this.#send(phone, { purpose: 'notice', text: text.slice(0, 300) })
  }

  close(): void {
    this.outbox.close()
  }
}
