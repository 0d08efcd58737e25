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
const opdsSearch = /^\/opds\/v[\d.]+\/search\.(xml|json)$/
/** A play: a lecture's master playlist, or its original (the fallback without HLS) from its first byte. */
const masterPath = /^\/api\/lectures\/([^/]+)\/hls\/master\.m3u8$/
const originalPath = /^\/api\/lectures\/([^/]+)\/original$/
const watchedPath = /^\/api\/lectures\/([^/]+)\/watched$/

const searchHits = new WeakMap<Request, number>()
/** The search route tells the capture how many records a search found (zero-result queries). */
export function noteSearchHits(c: Context, total: number): void {
  searchHits.set(c.req.raw, total)
}

const watchedSeconds = new WeakMap<Request, number>()
/** The watched-time route tells the capture how many seconds it accepted of a report. */
export function noteWatched(c: Context, seconds: number): void {
  watchedSeconds.set(c.req.raw, seconds)
}

/** Query text as the top-queries list shows it: trimmed, spaces collapsed, lower case, 200 chars. */
export function normalizeQuery(q: string): string {
  return q.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase().slice(0, 200)
}

export interface CaptureOptions {
  store: StatsStore
  now?: (() => number) | undefined
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
  /** `<day> <who>` → session key, for the days being written. */
  readonly #keys = new Map<string, string>()
  #keysDay = ''
  #flushing: Promise<void> = Promise.resolve()
  #seq = 0
  readonly #run = Date.now().toString(36)
  enabled = true

  constructor(private readonly opts: CaptureOptions) {}

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  /** The local day and hour of `t`, recomputed only when the hour changes (the request path asks often). */
  #clock = { from: 0, to: -1, day: '', hour: 0 }
  #local(t: number): { day: string; hour: number } {
    const c = this.#clock
    if (t < c.from || t > c.to) {
      const { day, hour } = localDay(t, this.opts.utcOffsetMinutes)
      const from = t - (t % 3_600_000) - (((this.opts.utcOffsetMinutes % 60) + 60) % 60) * 60_000
      this.#clock = { from, to: from + 3_599_999, day, hour }
      if (t < from || t > from + 3_599_999) this.#clock = { from: t, to: t, day, hour }
    }
    return this.#clock
  }

  /** Records one event (and keeps the object: no copy on the request path); `who` is the session id, or address + user agent. */
  record(ev: Omit<UsageEvent, 's' | 't'>, who: string): void {
    if (!this.enabled) return
    const t = this.#now
    const e = ev as Omit<UsageEvent, 's'>
    e.t = t
    this.#buffer.push({ ev: e, who, day: this.#local(t).day })
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
    this.#flushing = this.#flushing
      .then(async () => {
        if (!batch.length) return
        // One salt per day and one hash per session and day (remembered across batches, in memory
        // only): readers come back often.
        // The batch is stored as one record per day (a record per event costs ~10× more to write).
        const salts = new Map<string, Buffer>()
        const keys = this.#keys
        // Forgotten at each new day (and past 50k sessions): nothing outlives its day in memory either.
        if (keys.size > 50_000 || this.#keysDay !== batch[0]!.day) {
          keys.clear()
          this.#keysDay = batch[0]!.day
        }
        const byDay = new Map<string, UsageEvent[]>()
        for (const p of batch) {
          const id = `${p.day} ${p.who}`
          let s = keys.get(id)
          if (s === undefined) {
            let salt = salts.get(p.day)
            if (!salt) salts.set(p.day, (salt = await this.opts.store.salt(p.day)))
            s = createHmac('sha256', salt).update(p.who).digest('base64url').slice(0, 22)
            keys.set(id, s)
          }
          ;(p.ev as UsageEvent).s = s
          const list = byDay.get(p.day) ?? (byDay.set(p.day, []), byDay.get(p.day)!)
          list.push(p.ev as UsageEvent)
        }
        const ops = [...byDay].map(([day, list]) =>
          putOp(
            this.opts.store.events,
            `${day} ${String(list[0]!.t).padStart(14, '0')} ${this.#run}.${(this.#seq++).toString(36)}`,
            list,
          ),
        )
        // Usage figures may lose the last second in a machine crash; no sync write on this path.
        await this.opts.store.storage.commit(ops, { sync: false })
        this.opts.onWritten?.(new Set(batch.map((p) => p.day)))
      })
      .catch((err: unknown) => this.opts.onError?.(err))
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
      const agent = this.#agent(ua)
      if (agent.robot) return
      const auth = c.get('auth')
      const who = auth ? `s:${auth.sessionId}` : `a:${c.get('clientAddress')} ${ua} ${this.#local(this.#now).hour}`
      const m: AccessMethod =
        c.req.path.startsWith('/opds/') || auth?.via === 'basic'
          ? 'opds'
          : auth?.via === 'bearer' || !agent.browser
            ? 'api'
            : 'web'
      const ev = found as Omit<UsageEvent, 's' | 't'>
      ev.d = agent.device
      ev.m = m
      this.record(ev, who)
    }
  }

  /** User agents repeat: their class is remembered (a few thousand at most). */
  readonly #agents = new Map<string, { robot: boolean; browser: boolean; device: UsageEvent['d'] }>()
  #agent(ua: string) {
    let a = this.#agents.get(ua)
    if (!a) {
      if (this.#agents.size >= 4096) this.#agents.clear()
      a = { robot: isRobot(ua), browser: /mozilla/i.test(ua), device: deviceClass(ua) }
      this.#agents.set(ua, a)
    }
    return a
  }

  async close(): Promise<void> {
    await this.flush()
  }
}

function classify(c: Context<AppEnv>, method: string): (Partial<UsageEvent> & Pick<UsageEvent, 'k'>) | undefined {
  const path = c.req.path
  const status = c.res.status
  if (method === 'POST') {
    if (path === '/api/auth/login' && status === 200) return { k: 'sign_in' }
    if (path === '/api/auth/register' && status === 201) return { k: 'registration' }
    const w = watchedSeconds.get(c.req.raw)
    const watched = w && watchedPath.exec(path)
    if (watched && status === 202) return { k: 'watched', r: decodeURIComponent(watched[1]!), w }
    return undefined
  }
  const play = masterPath.exec(path) ?? originalPath.exec(path)
  if (play) {
    // A player reads the original in many ranges: only the one from its start is a play.
    const range = c.req.header('range')
    const fromStart = !range || /^bytes=0-/.test(range.trim())
    return fromStart && counted.has(status) ? { k: 'play', r: decodeURIComponent(play[1]!) } : undefined
  }
  if (path === '/api/search' || opdsSearch.test(path)) {
    const q = c.req.query('q') ?? c.req.query('query') ?? ''
    // Paging through results is the same search.
    if (status !== 200 || Number(c.req.query('offset') ?? 0) > 0 || Number(c.req.query('page') ?? 1) > 1)
      return undefined
    const hits = searchHits.get(c.req.raw)
    return { k: 'search', q: normalizeQuery(q), ...(hits === 0 ? { z: true } : {}) }
  }
  let m = contentPath.exec(path)
  if (m) {
    const k: EventKind | undefined = counted.has(status)
      ? 'content'
      : status === 403
        ? 'no_license'
        : status === 429
          ? 'limit_exceeded'
          : undefined
    return k ? { k, r: decodeURIComponent(m[1]!) } : undefined
  }
  m = viewPath.exec(path)
  if (m && counted.has(status)) return { k: 'view', r: decodeURIComponent(m[1]!) }
  return undefined
}
