/**
 * @module ld/sparql/store
 * The SPARQL store: an Oxigraph store in a worker thread, kept in step with the node's linked
 * data — built from every published quad on the first query (and by {@link SparqlStore.rebuild},
 * `shulin reindex`), then changed subject by subject as records change, and released after it
 * has answered nothing for a while.
 *
 * Why lazy: at 100k records the store costs ~600 MiB and 30–100 s of CPU; a county library's
 * small machine would pay that at every start even if nobody ever sends a query. So the first
 * query starts the build and waits for it up to `buildWaitMs` (then a 503 with Retry-After while
 * the build goes on), and after `idleMs` without a query the worker is ended (its memory goes
 * back) until the next one. Changes that arrive while no store is held are not kept: the next
 * build reads the linked data as it is then.
 *
 * Why a worker: Oxigraph's wasm evaluates a query to its end without yielding, so a time limit can
 * only be kept by terminating the thread. A query past the limit terminates it; a fresh worker is
 * built from the linked data again (the store is in memory, and the records are the truth), and
 * queries wait for it. Changes that arrive while a build streams are applied again after it, so a
 * build reading an older snapshot never leaves a subject stale.
 *
 * @example
 * ```ts
 * const store = new SparqlStore({ source: linkedData })
 * store.start() // follows changes; builds nothing yet
 * const { body } = await store.query('SELECT (COUNT(*) AS ?n) { ?s ?p ?o }', 'text/csv')
 * ```
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { ProblemError } from '../../http/problem.js'
import type { Logger } from '../../logger.js'
import { toNTriples, type QuadLike } from './ntriples.js'
import { workerCode, type WorkerReply, type WorkerRequest } from './worker.js'

/** One subject whose quads are now `quads` (none when it was removed). */
export interface SubjectChange {
  uri: string
  quads: QuadLike[]
}

/** What the store reads from the linked data (node/src/ld/service.ts's `LinkedData` fits it). */
export interface QuadSource {
  allQuads(): AsyncIterable<QuadLike>
  onChange(listener: (changes: SubjectChange[]) => void | Promise<void>): () => void
}

export interface SparqlStoreOptions {
  source: QuadSource
  /**
   * A query's time on the worker, after which it is stopped.
   * @default 10_000
   */
  timeLimitMs?: number | undefined
  /**
   * Rows (SELECT) or triples (CONSTRUCT, DESCRIBE) a query may give.
   * @default 10_000
   */
  maxRows?: number | undefined
  /**
   * Queries waiting for the worker, past which a new one is answered 503.
   * @default 32
   */
  maxWaiting?: number | undefined
  /**
   * How long a query waits for a build before it is answered 503.
   * @default 60_000
   */
  buildWaitMs?: number | undefined
  /**
   * How long the store is kept after its last query; then its worker is ended and the next query
   * builds it again. 0 keeps it for good once built.
   * @default 1_800_000 (30 minutes)
   */
  idleMs?: number | undefined
  logger?: Logger | undefined
}

/** Quads per message to the worker while building. */
const chunkQuads = 20_000

interface Pending {
  resolve: (reply: WorkerReply) => void
  reject: (err: Error) => void
}

class Terminated extends Error {}

export class SparqlStore {
  readonly #opts: SparqlStoreOptions
  readonly #timeLimitMs: number
  readonly #maxRows: number
  #worker: Worker | undefined
  #nextId = 1
  readonly #pending = new Map<number, Pending>()
  /** Settles when the current build is over; queries wait on it. */
  #built: Promise<void> = Promise.resolve()
  #building = 0
  /** Subjects changed during a build, applied again at its end (latest wins). */
  readonly #changedWhileBuilding = new Map<string, QuadLike[]>()
  #waiting = 0
  #size = 0
  #stopped = false
  #unsubscribe: (() => void) | undefined
  /** The worker holds every published quad (a build finished and nothing ended it since). */
  #loaded = false
  /** When a query or a rebuild last used the store (ms since 1970), for the idle release. */
  #usedAt = 0
  #idleTimer: NodeJS.Timeout | undefined
  /** Builds started since the store was made (tests count them). */
  builds = 0
  /** Times the store was released for being idle. */
  releases = 0
  /** Queries stopped at the time limit since start, for tests and metrics. */
  timeouts = 0

  constructor(opts: SparqlStoreOptions) {
    this.#opts = opts
    this.#timeLimitMs = opts.timeLimitMs ?? 10_000
    this.#maxRows = opts.maxRows ?? 10_000
  }

  /** Triples in the store (after the last change it applied; 0 while none is held). */
  get size(): number {
    return this.#size
  }

  /** Whether a built store is held now (not before the first query, nor after an idle release). */
  get loaded(): boolean {
    return this.#loaded
  }

  /** Follows the linked data's changes. Builds nothing: the first query does. */
  start(): void {
    this.#unsubscribe ??= this.#opts.source.onChange((changes) => this.#apply(changes))
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#unsubscribe?.()
    clearTimeout(this.#idleTimer)
    const worker = this.#worker
    this.#worker = undefined
    this.#failAll(new Terminated('the SPARQL store stopped'))
    await worker?.terminate()
  }

  /**
   * Builds the store again from every published quad (whether or not one is held: an operator
   * asked for it); resolves with its size and duration.
   */
  rebuild(): Promise<{ triples: number; ms: number }> {
    this.#touch()
    const run = this.#build()
    this.#built = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  /**
   * Runs a read-only query and gives its answer serialised as `format` (a media type the worker
   * knows; see protocol.ts). Throws a {@link ProblemError} for a malformed query, a result over
   * the limit, a query stopped at the time limit, and a store that is not ready.
   */
  async query(text: string, format: string): Promise<{ body: string; rows: number }> {
    const maxWaiting = this.#opts.maxWaiting ?? 32
    if (this.#waiting >= maxWaiting)
      throw new ProblemError('not_ready', { detail: 'too many SPARQL queries are waiting', retryAfterSeconds: 5 })
    this.#waiting++
    try {
      this.#touch()
      if (!this.#loaded && this.#building === 0)
        void this.rebuild().catch((err: unknown) => this.#opts.logger?.error({ err }, 'SPARQL store build failed'))
      await this.#whenBuilt()
      const reply = await this.#send({ id: 0, op: 'query', query: text, format, maxRows: this.#maxRows }, true)
      if (reply.error?.kind === 'malformed') throw new ProblemError('sparql_malformed', { detail: reply.error.message })
      if (reply.error?.kind === 'rows')
        throw new ProblemError('sparql_result_limit', {
          detail: `the query gives ${reply.error.message} results; at most ${this.#maxRows} are served — add LIMIT or narrow the query`,
        })
      if (reply.error || reply.body === undefined) throw new Error(reply.error?.message ?? 'no answer from the store')
      return { body: reply.body, rows: reply.rows ?? 0 }
    } catch (err) {
      // Another query stopped at the limit took the worker down under this one.
      if (err instanceof Terminated)
        throw new ProblemError('not_ready', { detail: 'the SPARQL store is being rebuilt', retryAfterSeconds: 10 })
      throw err
    } finally {
      this.#waiting--
    }
  }

  async #whenBuilt(): Promise<void> {
    if (this.#building === 0 && this.#loaded) return
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.#opts.buildWaitMs ?? 60_000)
    })
    const outcome = await Promise.race([this.#built.then(() => 'built' as const), late])
    clearTimeout(timer)
    if (outcome === 'late' || this.#building > 0)
      throw new ProblemError('not_ready', { detail: 'the SPARQL store is being built', retryAfterSeconds: 10 })
    if (!this.#loaded)
      throw new ProblemError('not_ready', { detail: 'the SPARQL store could not be built', retryAfterSeconds: 30 })
  }

  /** Notes a use and makes sure the idle release is due `idleMs` after the last one. */
  #touch(): void {
    this.#usedAt = Date.now()
    const idleMs = this.#opts.idleMs ?? 30 * 60_000
    if (idleMs <= 0 || this.#idleTimer || this.#stopped) return
    const check = () => {
      this.#idleTimer = undefined
      const left = this.#usedAt + idleMs - Date.now()
      // Busy (a build, a query, one waiting) or used lately: look again when it could be idle.
      const busy = this.#building > 0 || this.#pending.size > 0 || this.#waiting > 0
      if (left > 0 || busy) {
        this.#idleTimer = setTimeout(check, Math.max(left, 1_000)).unref()
        return
      }
      this.#release()
    }
    this.#idleTimer = setTimeout(check, idleMs).unref()
  }

  /** Ends the worker of an idle store: its memory goes back until the next query builds it. */
  #release(): void {
    const worker = this.#worker
    if (!worker && !this.#loaded) return
    this.#worker = undefined
    this.#loaded = false
    const triples = this.#size
    this.#size = 0
    this.releases++
    void worker?.terminate()
    this.#opts.logger?.info({ triples }, 'SPARQL store released after being idle')
  }

  async #build(): Promise<{ triples: number; ms: number }> {
    const started = performance.now()
    this.#building++
    this.builds++
    this.#loaded = false
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.#send({ id: 0, op: 'clear' }, false)
          let chunk: QuadLike[] = []
          for await (const quad of this.#opts.source.allQuads()) {
            chunk.push(quad)
            if (chunk.length === chunkQuads) {
              await this.#load(toNTriples(chunk))
              chunk = []
            }
          }
          if (chunk.length) await this.#load(toNTriples(chunk))
          break
        } catch (err) {
          // A query stopped at the limit terminates the worker under a build: start it over.
          if (!(err instanceof Terminated) || this.#stopped || attempt >= 3) throw err
        }
      }
      const again = [...this.#changedWhileBuilding]
      this.#changedWhileBuilding.clear()
      if (again.length) await this.#replace(again.map(([uri, quads]) => ({ uri, quads })))
      this.#loaded = true
      const result = { triples: this.#size, ms: Math.round(performance.now() - started) }
      this.#opts.logger?.info(result, 'SPARQL store built')
      return result
    } finally {
      this.#building--
    }
  }

  async #load(data: string): Promise<void> {
    const reply = await this.#send({ id: 0, op: 'load', data }, false)
    if (reply.error) throw new Error(`the SPARQL store refused linked data: ${reply.error.message}`)
  }

  async #apply(changes: SubjectChange[]): Promise<void> {
    if (this.#building > 0) for (const c of changes) this.#changedWhileBuilding.set(c.uri, c.quads)
    // No store held (none built yet, or released): the next build reads the change from the source.
    else if (!this.#loaded) return
    try {
      await this.#replace(changes)
    } catch (err) {
      if (!(err instanceof Terminated)) this.#opts.logger?.error({ err }, 'SPARQL store missed a change')
    }
  }

  async #replace(changes: SubjectChange[]): Promise<void> {
    const reply = await this.#send(
      { id: 0, op: 'replace', subjects: changes.map((c) => c.uri), data: toNTriples(changes.flatMap((c) => c.quads)) },
      false,
    )
    if (reply.error) throw new Error(`the SPARQL store refused a change: ${reply.error.message}`)
  }

  #send(request: WorkerRequest, timed: boolean): Promise<WorkerReply> {
    if (this.#stopped) return Promise.reject(new Terminated('the SPARQL store stopped'))
    const worker = this.#spawn()
    const id = this.#nextId++
    return new Promise<WorkerReply>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      if (timed)
        timer = setTimeout(() => {
          this.timeouts++
          this.#opts.logger?.warn({ ms: this.#timeLimitMs }, 'SPARQL query stopped at the time limit')
          reject(
            new ProblemError('sparql_time_limit', {
              detail: `the query was stopped after ${this.#timeLimitMs / 1000} s; narrow it or add LIMIT`,
            }),
          )
          this.#pending.delete(id)
          this.#restart(worker)
        }, this.#timeLimitMs)
      this.#pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      })
      // Held open while it owes an answer (a script awaiting a build must not exit), idle otherwise.
      worker.ref()
      worker.postMessage({ ...request, id })
    })
  }

  #spawn(): Worker {
    if (this.#worker) return this.#worker
    const worker = new Worker(workerCode, {
      eval: true,
      workerData: { oxigraph: createRequire(import.meta.url).resolve('oxigraph') },
    })
    worker.on('message', (reply: WorkerReply) => {
      const p = this.#pending.get(reply.id)
      this.#pending.delete(reply.id)
      if (reply.size !== undefined) this.#size = reply.size
      if (this.#pending.size === 0) worker.unref()
      p?.resolve(reply)
    })
    worker.on('error', (err) => {
      this.#opts.logger?.error({ err }, 'SPARQL store worker failed')
      this.#restart(worker)
    })
    worker.unref()
    this.#worker = worker
    return worker
  }

  /** Ends a worker (stuck or failed), fails what it had, and builds a fresh one. */
  #restart(worker: Worker): void {
    if (this.#worker !== worker) return
    this.#worker = undefined
    this.#size = 0
    this.#loaded = false
    this.#failAll(new Terminated('the SPARQL store restarted'))
    void worker.terminate()
    // A running build starts itself over on a fresh worker; otherwise the next query builds one.
  }

  #failAll(err: Error): void {
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    for (const p of pending) p.reject(err)
  }
}
