/**
 * @module stats/capture
 * Usage events from the HTTP traffic itself: one middleware looks at each finished request
 * (method, path, status) and, when it is a reader action COUNTER counts, appends an event to
 * an in-memory buffer. The buffer is written to LevelDB in one batch every second (or at 1,000
 * events), so the request path pays for a regex and an array push, never for a write.
 *
 * Who did it is kept only as long as the buffer holds the event: at the write the session id
 * (or, without a session, address + user agent + hour, as COUNTER prescribes) becomes a keyed
 * hash with the day's salt, and the salt goes when the day's raw events expire.
 */
import { createHmac } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { deviceClass, isRobot, localDay, type AccessMethod, type EventKind, type UsageEvent } from '@shulin/protocol'
import type { AppEnv } from '../http/env.js'
import { putOp } from '../storage/db.js'
import type { StatsStore } from './store.js'

interface Pending {
  ev: Omit<UsageEvent, 's'>
  who: string
  day: string
}

const counted = new Set([200, 206, 304])
const viewPath = /^\/api\/resources\/([^/]+)$/
const contentPath = /^\/api\/resources\/([^/]+)\/(?:content|files\/content|images\/\d+)$/
const opdsSearch = /^\/opds\/.*search/

const searchHits = new WeakMap<Request, number>()
/** The search route tells the capture how many records a search found (zero-result queries). */
export function noteSearchHits(c: Context, total: number): void {
  searchHits.set(c.req.raw, total)
}

/** Query text as the top-queries list shows it: trimmed, spaces collapsed, lower case, 200 chars. */
export function normalizeQuery(q: string): string {
  return q.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase().slice(0, 200)
}

export interface CaptureOptions {
  store: StatsStore
  now?: () => number
  utcOffsetMinutes: number
  flushMs?: number
  maxBuffer?: number
  onError?: (err: unknown) => void
  /** Told the local days each batch wrote to (a late event reopens a finished day). */
  onWritten?: (days: Set<string>) => void
}

export class StatsCapture {
  #buffer: Pending[] = []
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> = Promise.resolve()
  #seq = 0
  readonly #run = Date.now().toString(36)
  enabled = true

  constructor(private readonly opts: CaptureOptions) {}

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  /** Records one event; `who` is the session id, or address + user agent. */
  record(ev: Omit<UsageEvent, 's' | 't'>, who: string): void {
    if (!this.enabled) return
    const t = this.#now
    this.#buffer.push({ ev: { ...ev, t }, who, day: localDay(t, this.opts.utcOffsetMinutes).day })
    if (this.#buffer.length >= (this.opts.maxBuffer ?? 1000)) void this.flush()
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.opts.flushMs ?? 1000)
      this.#timer.unref()
    }
  }

  /** Writes the buffer (one batch); resolves when everything recorded so far is stored. */
  flush(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = this.#buffer
    this.#buffer = []
    this.#flushing = this.#flushing.then(async () => {
      if (!batch.length) return
      const ops = []
      for (const p of batch) {
        const salt = await this.opts.store.salt(p.day)
        const s = createHmac('sha256', salt).update(p.who).digest('base64url').slice(0, 22)
        const key = `${p.day} ${String(p.ev.t).padStart(14, '0')} ${this.#run}.${(this.#seq++).toString(36)}`
        ops.push(putOp(this.opts.store.events, key, { ...p.ev, s }))
      }
      // Usage figures may lose the last second in a machine crash; no sync write on this path.
      await this.opts.store.storage.commit(ops, { sync: false })
      this.opts.onWritten?.(new Set(batch.map((p) => p.day)))
    }).catch((err: unknown) => this.opts.onError?.(err))
    return this.#flushing
  }

  /** The middleware that turns finished requests into events. */
  middleware(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      await next()
      if (!this.enabled) return
      const method = c.req.method
      if (method !== 'GET' && method !== 'POST') return
      const found = classify(c, method)
      if (!found) return
      const ua = c.req.header('user-agent') ?? ''
      if (isRobot(ua)) return
      const auth = c.get('auth')
      const hour = localDay(this.#now, this.opts.utcOffsetMinutes).hour
      const who = auth ? `s:${auth.sessionId}` : `a:${c.get('clientAddress')} ${ua} ${hour}`
      const m: AccessMethod = c.req.path.startsWith('/opds/') || auth?.via === 'basic' ? 'opds' : auth?.via === 'bearer' || !/mozilla/i.test(ua) ? 'api' : 'web'
      this.record({ ...found, d: deviceClass(ua), m }, who)
    }
  }

  async close(): Promise<void> {
    await this.flush()
  }
}

function classify(c: Context<AppEnv>, method: string): Omit<UsageEvent, 's' | 't' | 'd' | 'm'> | undefined {
  const path = c.req.path
  const status = c.res.status
  if (method === 'POST') {
    if (path === '/api/auth/login' && status === 200) return { k: 'sign_in' }
    if (path === '/api/auth/register' && status === 201) return { k: 'registration' }
    return undefined
  }
  if (path === '/api/search' || opdsSearch.test(path)) {
    const q = c.req.query('q') ?? c.req.query('query') ?? ''
    // Paging through results is the same search.
    if (status !== 200 || Number(c.req.query('offset') ?? 0) > 0 || Number(c.req.query('page') ?? 1) > 1) return undefined
    const hits = searchHits.get(c.req.raw)
    return { k: 'search', q: normalizeQuery(q), ...(hits === 0 ? { z: true } : {}) }
  }
  let m = contentPath.exec(path)
  if (m) {
    const k: EventKind | undefined = counted.has(status) ? 'content' : status === 403 ? 'no_license' : status === 429 ? 'limit_exceeded' : undefined
    return k ? { k, r: decodeURIComponent(m[1]!) } : undefined
  }
  m = viewPath.exec(path)
  if (m && counted.has(status)) return { k: 'view', r: decodeURIComponent(m[1]!) }
  return undefined
}
