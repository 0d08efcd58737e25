/**
 * @module metrics
 * `GET /metrics` in Prometheus text format (prom-client). One registry per node (tests run
 * several nodes in one process, and the default global registry would mix them).
 *
 * HTTP requests are labelled by the route pattern Hono matched (`/api/resources/:id`), never the
 * raw path: a label per URL would grow without bound (every resource id a new time series).
 * Everything else is read when Prometheus scrapes, from the services themselves; the slower
 * readings (counting records, the database's size on disk) are cached for a few seconds so a
 * tight scrape interval cannot keep the disk busy.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { AppEnv } from '../http/env.js'

/** What the node's services tell the scrape. Each reading may fail; the gauge is then left out. */
export interface MetricSources {
  dbDir: string
  records: () => Promise<number>
  search: () => Promise<{ documents: number; diskBytes?: number }>
  peers: () => number
  /** Seconds since a member last pulled the registry from the hub (or a peer); undefined on the hub or before a join. */
  syncLagSeconds: () => number | undefined
  rollupQueue: () => number | undefined
  /** Bytes of shared files sent to peers over libp2p since start. */
  peerSentBytes: () => number
  /** When the last good backup finished (ms), if any. */
  lastBackupAt: () => number | undefined
  lastBackupFailed: () => boolean
  disk: () => Promise<{ freeBytes: number; totalBytes: number; minFreeBytes: number }>
  now: () => number
}

/** The total size of the files under `dir` (LevelDB keeps a flat folder; one level suffices). */
async function folderBytes(dir: string): Promise<number> {
  let total = 0
  for (const name of await readdir(dir)) {
    const s = await stat(join(dir, name)).catch(() => undefined)
    if (s?.isFile()) total += s.size
  }
  return total
}

/** A value read at most every `ms`: scrapes in a burst share it. */
function cached<T>(read: () => Promise<T>, ms: number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined
  return () => {
    const now = Date.now()
    if (!last || now - last.at > ms) {
      const value = read()
      last = { at: now, value }
      value.catch(() => (last = undefined))
    }
    return last.value
  }
}

export class NodeMetrics {
  readonly registry = new Registry()
  readonly #requests: Counter<'method' | 'route' | 'status'>
  readonly #latency: Histogram<'method' | 'route'>
  readonly #responseBytes: Counter<'route'>

  constructor(sources: MetricSources) {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry, prefix: 'shulin_' })
    this.#requests = new Counter({
      name: 'shulin_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    })
    this.#latency = new Histogram({
      name: 'shulin_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (until the handler returned), by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    })
    this.#responseBytes = new Counter({
      name: 'shulin_http_response_bytes_total',
      help: 'Bytes sent in HTTP answers that declare their length (files, covers, content), by route pattern',
      labelNames: ['route'],
      registers,
    })
    const records = cached(sources.records, 15_000)
    const dbBytes = cached(() => folderBytes(sources.dbDir), 15_000)
    const gauge = (name: string, help: string, read: () => Promise<number | undefined> | number | undefined) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          this.reset()
          const v = await Promise.resolve()
            .then(read)
            .catch(() => undefined)
          if (v !== undefined && Number.isFinite(v)) this.set(v)
        },
      })
    gauge('shulin_leveldb_bytes', 'Size of the LevelDB database on disk', dbBytes)
    gauge('shulin_records', 'Resource records held (own and other libraries’)', records)
    gauge('shulin_search_documents', 'Documents in the search index', async () => (await sources.search()).documents)
    gauge(
      'shulin_search_index_bytes',
      'Size of the search index on disk',
      async () => (await sources.search()).diskBytes,
    )
    gauge(
      'shulin_search_lag_records',
      'Records not (yet) in the search index (records minus indexed documents)',
      async () => Math.max(0, (await records()) - (await sources.search()).documents),
    )
    gauge('shulin_peers_connected', 'Peers connected on the peer network', sources.peers)
    gauge('shulin_sync_lag_seconds', 'Seconds since this member last synced the registry', sources.syncLagSeconds)
    new Counter({
      name: 'shulin_peer_sent_bytes_total',
      help: 'Bytes of shared files sent to other libraries over the peer network',
      registers,
      collect() {
        this.reset()
        this.inc(sources.peerSentBytes())
      },
    })
    gauge('shulin_rollup_queue', 'Daily statistics roll-ups waiting to be sent to the hub', sources.rollupQueue)
    gauge('shulin_backup_age_seconds', 'Seconds since the last successful backup', () => {
      const at = sources.lastBackupAt()
      return at === undefined ? undefined : Math.max(0, (sources.now() - at) / 1000)
    })
    gauge('shulin_backup_last_failed', '1 when the last backup attempt failed', () =>
      sources.lastBackupFailed() ? 1 : 0,
    )
    gauge(
      'shulin_disk_free_bytes',
      'Free bytes on the data folder’s disk',
      async () => (await sources.disk()).freeBytes,
    )
    gauge('shulin_disk_total_bytes', 'Size of the data folder’s disk', async () => (await sources.disk()).totalBytes)
    gauge(
      'shulin_disk_min_free_bytes',
      'Free bytes below which uploads and imports pause (--min-free-disk)',
      async () => (await sources.disk()).minFreeBytes,
    )
  }

  /** Counts and times every request by the route that answered it (`other` when none did). */
  readonly middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const started = performance.now()
    try {
      await next()
    } finally {
      let route = 'other'
      try {
        // After next(), the route index is the handler that answered; a middleware's own pattern means none did.
        const path = routePath(c)
        if (path && path !== '*' && path !== '/*') route = path
      } catch {
        // No route matched at all.
      }
      const method = c.req.method
      const status = String(c.res.status)
      this.#requests.inc({ method, route, status })
      this.#latency.observe({ method, route }, (performance.now() - started) / 1000)
      const length = Number(c.res.headers.get('content-length'))
      if (length > 0) this.#responseBytes.inc({ route }, length)
    }
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}
