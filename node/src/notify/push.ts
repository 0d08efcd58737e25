/**
 * @module notify/push
 * Web Push (RFC 8030 / 8291 / 8292) as a notify channel: the node's VAPID key pair, made at
 * first start and kept (sublevel `notify-meta`, key `vapid`: a new pair would orphan every
 * subscription), readers' browser subscriptions (sublevel `push-subs`, `account!hash(endpoint)`),
 * and the `push` {@link ChannelSender}.
 *
 * The payload is encrypted (aes128gcm) and signed by npm `web-push`; the request itself goes out
 * through `fetch` so its timeout and the answer are ours: 404/410 mean the browser dropped the
 * subscription (it is deleted), 429/5xx are retried by the queue. The payload holds only the
 * notice (kind, title, body, portal link, id): never who the reader is.
 *
 * A subscription's endpoint is an address the node will POST to, given by a reader: only `https`
 * to a named host (push services are public: FCM, Mozilla, Apple, WNS) — not an IP literal or
 * `localhost` — so it cannot aim the node at its own network. Tests allow loopback `http`
 * (`SHULIN_TEST_PUSH_HTTP`).
 */
import { createHash } from 'node:crypto'
import { isIP } from 'node:net'
import webpush from 'web-push'
import type { PushPayload, PushSubscriptionInput } from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import type { Logger } from '../logger.js'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { UndeliverableError, type ChannelMessage, type ChannelSender } from './channels.js'

/** Browsers a reader keeps subscribed (phone, laptop…); the oldest goes when one more comes. */
export const maxSubscriptionsPerReader = 10
/** How long the push service keeps an undelivered message (a phone switched off overnight). */
const ttlSeconds = 24 * 3600
const requestTimeoutMs = 15_000

interface VapidKeys {
  publicKey: string
  privateKey: string
}

interface StoredSubscription {
  endpoint: string
  keys: { p256dh: string; auth: string }
  createdAt: string
}

export interface WebPushOptions {
  storage: Storage
  /** `mailto:` or `https:` contact for push services (VAPID `sub`). */
  subject?: string | undefined
  /** Tests: accept `http://127.0.0.1…` endpoints (a local stand-in push service). */
  allowLoopbackHttp?: boolean | undefined
  logger?: Logger | undefined
  now?: (() => number) | undefined
}

export class WebPush implements ChannelSender {
  readonly channel = 'push' as const
  readonly #meta: Sublevel<VapidKeys>
  readonly #subs: Sublevel<StoredSubscription>
  #keys: VapidKeys | undefined

  constructor(private readonly opts: WebPushOptions) {
    this.#meta = opts.storage.sublevel('notify-meta')
    this.#subs = opts.storage.sublevel('push-subs')
  }

  /** Reads the VAPID pair, or makes and keeps one (the first start). */
  async init(): Promise<void> {
    const kept = await this.#meta.get('vapid')
    if (kept) {
      this.#keys = kept
      return
    }
    const made = webpush.generateVAPIDKeys()
    await this.opts.storage.commit([putOp(this.#meta, 'vapid', made)], { sync: true })
    this.#keys = made
  }

  async publicKey(): Promise<string> {
    if (!this.#keys) await this.init()
    return this.#keys!.publicKey
  }

  async subscribe(accountId: string, sub: PushSubscriptionInput): Promise<void> {
    this.#checkEndpoint(sub.endpoint)
    const stored: StoredSubscription = {
      endpoint: sub.endpoint,
      keys: sub.keys,
      createdAt: new Date((this.opts.now ?? Date.now)()).toISOString(),
    }
    const mine = await this.#subs.iterator(range(accountId)).all()
    const k = subKey(accountId, sub.endpoint)
    const others = mine.filter(([key]) => key !== k).sort((a, b) => a[1].createdAt.localeCompare(b[1].createdAt))
    const ops = [putOp(this.#subs, k, stored)]
    for (const [key] of others.slice(0, Math.max(0, others.length + 1 - maxSubscriptionsPerReader)))
      ops.push(delOp(this.#subs, key))
    await this.opts.storage.commit(ops, { sync: true })
  }

  async unsubscribe(accountId: string, endpoint: string): Promise<void> {
    await this.opts.storage.commit([delOp(this.#subs, subKey(accountId, endpoint))], { sync: true })
  }

  async count(accountId: string): Promise<number> {
    return (await this.#subs.keys(range(accountId)).all()).length
  }

  async reachable(accountId: string): Promise<boolean> {
    return (await this.count(accountId)) > 0
  }

  /**
   * Sends to every browser the reader subscribed. Gone subscriptions are deleted; when one
   * browser fails for a passing reason the whole send is retried (a browser that got it
   * already may show it twice: the worker's `tag` is the notice id, so it replaces, not adds).
   */
  async send(accountId: string, message: ChannelMessage): Promise<void> {
    const subs = await this.#subs.iterator(range(accountId)).all()
    if (!subs.length) throw new UndeliverableError('no push subscription')
    const payload: PushPayload = {
      id: message.noticeId,
      kind: message.kind,
      title: message.title,
      ...(message.body !== undefined && { body: message.body }),
      link: message.link,
    }
    let failed: unknown
    let delivered = 0
    for (const [key, sub] of subs) {
      try {
        const outcome = await this.#post(sub, JSON.stringify(payload))
        if (outcome === 'gone') {
          await this.opts.storage.commit([delOp(this.#subs, key)], { sync: true })
          this.opts.logger?.info({ host: new URL(sub.endpoint).host }, 'push subscription gone: removed')
        } else delivered++
      } catch (err) {
        failed = err
      }
    }
    if (failed) throw failed
    if (!delivered) throw new UndeliverableError('every push subscription is gone')
  }

  async #post(sub: StoredSubscription, body: string): Promise<'sent' | 'gone'> {
    const keys = this.#keys ?? (await this.init(), this.#keys!)
    const req = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: sub.keys }, body, {
      vapidDetails: { subject: this.opts.subject ?? 'mailto:shulin@shulin.invalid', ...keys },
      TTL: ttlSeconds,
      contentEncoding: 'aes128gcm',
    })
    const res = await fetch(req.endpoint, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(requestTimeoutMs),
    })
    await res.body?.cancel()
    if (res.status === 404 || res.status === 410) return 'gone'
    if (res.status >= 200 && res.status < 300) return 'sent'
    // Too large or malformed never gets better; throttled or failing does.
    if (res.status === 400 || res.status === 413) throw new UndeliverableError(`push service answered ${res.status}`)
    throw new Error(`push service answered ${res.status}`)
  }

  #checkEndpoint(endpoint: string): void {
    const url = new URL(endpoint)
    const host = url.hostname.replace(/^\[|\]$/g, '')
    const ok =
      (url.protocol === 'https:' && !isIP(host) && host !== 'localhost' && host.includes('.')) ||
      (this.opts.allowLoopbackHttp === true && url.protocol === 'http:' && host === '127.0.0.1')
    if (!ok)
      throw new ProblemError('validation_failed', {
        detail: 'A push endpoint must be an https address of a push service.',
      })
  }
}

const range = (accountId: string) => ({ gt: `${accountId}!`, lt: `${accountId}!\uffff` })
const subKey = (accountId: string, endpoint: string) =>
  `${accountId}!${createHash('sha256').update(endpoint).digest('base64url').slice(0, 22)}`
