/**
 * @module harvest/service
 * Harvesting other repositories' OAI-PMH into this node's catalogue. Each added repository is
 * harvested whole the first time, then incrementally `from` the repository's own clock (the
 * `responseDate` of the last complete harvest, at the granularity its Identify declares), so
 * neither clock skew nor a record changed during a harvest is missed. `marcxml` is taken when
 * the repository offers it, `oai_dc` otherwise. The whole list is read before anything is
 * written: a harvest that fails part way (malformed XML, a broken or looping resumption token,
 * a repository gone) imports nothing and keeps the previous `from`, so the next run redoes it.
 * Deleted records withdraw the record harvested from them here.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { ImportRecord } from '@shulin/protocol'
import type { Storage, Sublevel } from '../storage/db.js'
import { getOrUndefined, putOp } from '../storage/db.js'
import type { ResourceService } from '../resources/service.js'
import {
  HarvestError,
  OaiClient,
  childrenOf,
  nameOf,
  readListRecords,
  childText,
  type OaiClientOptions,
  type OaiRecord,
} from './oai-client.js'
import { harvestIdentifier, toImportValue, type HarvestFormat } from './records.js'

export const HarvestReport = z.object({
  url: z.string(),
  set: z.string().optional(),
  format: z.enum(['oai_dc', 'marcxml']).optional(),
  /** The `from` asked for (absent on a first, full harvest). */
  from: z.string().optional(),
  startedAt: z.string(),
  pages: z.number().int(),
  records: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  withdrawn: z.number().int(),
  rejected: z.number().int(),
  rejects: z.array(z.object({ identifier: z.string(), reason: z.string() })),
  ms: z.number(),
  /** Why the harvest stopped; nothing was imported then. */
  error: z.string().optional(),
})
export type HarvestReport = z.infer<typeof HarvestReport>

export const Repository = z.object({
  id: z.string(),
  url: z.string(),
  set: z.string().optional(),
  addedAt: z.string(),
  /** The next harvest's `from`, at the repository's granularity. */
  from: z.string().optional(),
  last: HarvestReport.optional(),
})
export type Repository = z.infer<typeof Repository>

export const HarvestTarget = z.object({
  url: z
    .string()
    .url()
    .max(2000)
    .refine((u) => /^https?:/i.test(u), 'an http or https URL')
    .refine((u) => !new URL(u).search, 'the base URL without a query (OAI-PMH adds its own)'),
  set: z
    .string()
    .regex(/^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$/, 'a setSpec')
    .optional(),
})

const maxPages = 100_000
const maxListedRejects = 100
const batchSize = 1000

export interface HarvestServiceOptions {
  storage: Storage
  resources: ResourceService
  now?: (() => number) | undefined
  client?: OaiClientOptions | undefined
}

export class HarvestService {
  readonly #repos: Sublevel<Repository>
  readonly #o: HarvestServiceOptions
  /** One harvest at a time: a scheduled run and a command must not write the same records twice. */
  #running: Promise<unknown> = Promise.resolve()

  constructor(o: HarvestServiceOptions) {
    this.#o = o
    this.#repos = o.storage.sublevel('harvest-repositories')
  }

  #iso = () => new Date(this.#o.now?.() ?? Date.now()).toISOString()

  async list(): Promise<Repository[]> {
    const out: Repository[] = []
    for await (const v of this.#repos.values()) out.push(v)
    return out
  }

  /** Adds a repository (again: the same one) and harvests it at once. */
  async add(target: z.input<typeof HarvestTarget>): Promise<HarvestReport> {
    const t = HarvestTarget.parse(target)
    const id = createHash('sha256')
      .update(`${t.url}\n${t.set ?? ''}`)
      .digest('hex')
      .slice(0, 16)
    const existing = await getOrUndefined(this.#repos, id)
    if (!existing) {
      const repo: Repository = { id, url: t.url, ...(t.set ? { set: t.set } : {}), addedAt: this.#iso() }
      await this.#o.storage.commit([putOp(this.#repos, id, repo)], { sync: true })
    }
    return this.harvest(id)
  }

  /** Harvests every added repository, one after the other. */
  async runAll(): Promise<HarvestReport[]> {
    const out: HarvestReport[] = []
    for (const r of await this.list()) out.push(await this.harvest(r.id))
    return out
  }

  harvest(id: string): Promise<HarvestReport> {
    const run = this.#running.then(() => this.#harvest(id))
    this.#running = run.catch(() => {})
    return run
  }

  async #harvest(id: string): Promise<HarvestReport> {
    const repo = await getOrUndefined(this.#repos, id)
    if (!repo) throw new HarvestError(`no repository ${id}`, true)
    const started = performance.now()
    const report: HarvestReport = {
      url: repo.url,
      ...(repo.set ? { set: repo.set } : {}),
      ...(repo.from ? { from: repo.from } : {}),
      startedAt: this.#iso(),
      pages: 0,
      records: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      withdrawn: 0,
      rejected: 0,
      rejects: [],
      ms: 0,
    }
    let next = repo.from
    try {
      const client = new OaiClient(repo.url, this.#o.client)
      const identify = await client.request({ verb: 'Identify' })
      const granularity = childText(identify, 'granularity')
      const seconds = granularity === 'YYYY-MM-DDThh:mm:ssZ'
      const format = await this.#format(client)
      report.format = format
      const { records, responseDate } = await this.#list(client, format, repo, report)
      next = stampAt(responseDate, seconds) ?? next
      await this.#apply(format, records, report)
    } catch (err) {
      if (!(err instanceof HarvestError)) throw err
      report.error = err.message
      next = repo.from
    }
    report.ms = Math.round(performance.now() - started)
    const saved: Repository = { ...repo, ...(next ? { from: next } : {}), last: report }
    await this.#o.storage.commit([putOp(this.#repos, id, saved)], { sync: true })
    return report
  }

  async #format(client: OaiClient): Promise<HarvestFormat> {
    const body = await client.request({ verb: 'ListMetadataFormats' })
    const prefixes = childrenOf(body)
      .filter((n) => nameOf(n) === 'metadataFormat')
      .map((n) => childText(n, 'metadataPrefix'))
    if (prefixes.includes('marcxml')) return 'marcxml'
    if (prefixes.includes('oai_dc')) return 'oai_dc'
    throw new HarvestError(
      `the repository offers neither oai_dc nor marcxml (${prefixes.join(', ') || 'nothing'})`,
      true,
    )
  }

  /** Every page of the list, or a HarvestError; the last version of each record wins. */
  async #list(client: OaiClient, format: HarvestFormat, repo: Repository, report: HarvestReport) {
    const byId = new Map<string, OaiRecord>()
    const seen = new Set<string>()
    let responseDate: string | undefined
    let params: Record<string, string> = {
      verb: 'ListRecords',
      metadataPrefix: format,
      ...(repo.set ? { set: repo.set } : {}),
      ...(repo.from ? { from: repo.from } : {}),
    }
    for (;;) {
      const body = await client.request(params)
      report.pages++
      responseDate ??= body[':@']?.responseDate
      const { records, token } = readListRecords(body)
      for (const r of records) byId.set(r.identifier, r)
      if (!token) break
      // A repository that hands back a token it gave before would page for ever.
      if (seen.has(token))
        throw new HarvestError(
          `the repository returned the resumption token ${token.slice(0, 80)} twice (a loop)`,
          true,
        )
      if (report.pages >= maxPages) throw new HarvestError(`more than ${maxPages} pages`, true)
      seen.add(token)
      params = { verb: 'ListRecords', resumptionToken: token }
    }
    report.records = byId.size
    return { records: [...byId.values()], responseDate }
  }

  async #apply(format: HarvestFormat, records: OaiRecord[], report: HarvestReport): Promise<void> {
    const reject = (identifier: string, reason: string) => {
      report.rejected++
      if (report.rejects.length < maxListedRejects) report.rejects.push({ identifier, reason })
    }
    const live: Array<{ identifier: string; record: ImportRecord }> = []
    for (const r of records) {
      if (r.deleted) continue
      if (!r.metadata) {
        reject(r.identifier, 'no metadata')
        continue
      }
      const parsed = ImportRecord.safeParse(toImportValue(format, r.identifier, r.metadata))
      if (parsed.success) live.push({ identifier: r.identifier, record: parsed.data })
      else
        reject(r.identifier, parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; '))
    }
    for (let i = 0; i < live.length; i += batchSize) {
      const batch = live.slice(i, i + batchSize)
      const outcomes = await this.#o.resources.importBatch(batch.map((b) => b.record))
      outcomes.forEach((o, j) => ('error' in o ? reject(batch[j]!.identifier, o.error) : report[o.status]++))
    }
    for (const r of records) {
      if (!r.deleted) continue
      const here = await this.#o.resources.records.findByIdentifier(harvestIdentifier(r.identifier))
      if (here?.status !== 'published') continue
      await this.#o.resources.withdraw(here.id)
      report.withdrawn++
    }
  }
}

/** The repository's `responseDate` as a `from` at its granularity. */
function stampAt(responseDate: string | undefined, seconds: boolean): string | undefined {
  if (!responseDate || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(responseDate)) return undefined
  return seconds ? responseDate : responseDate.slice(0, 10)
}
