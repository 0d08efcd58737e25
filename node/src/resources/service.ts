/**
 * @module resources/service
 * The staff workflow over resource records: draft → published → withdrawn, edits with
 * optimistic concurrency (revision = ETag), deletion with a tombstone, and bulk upsert by
 * identifier for imports.
 */
import {
  nextStamp,
  type CreateResourceRequest,
  type ImportRecord,
  type Resource,
  type ResourceFile,
  type Chapter,
  type UpdateResourceRequest,
} from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import type { BatchOp, Storage } from '../storage/db.js'
import { IdentifierConflict, ResourceStore, type ResourceRecords } from './store.js'

export interface ResourceServiceOptions {
  storage: Storage
  nodeId: string
  now?: (() => number) | undefined
}

export class ResourceService {
  /** The whole store: writes go through this service's lock and rules. */
  readonly #store: ResourceStore
  /** The records, read-only: what other modules look up, list and follow. */
  readonly records: ResourceRecords
  readonly #now: () => number

  constructor(private readonly opts: ResourceServiceOptions) {
    this.#store = new ResourceStore(opts.storage)
    this.records = this.#store
    this.#now = opts.now ?? Date.now
  }

  /** This node's id (its own records, as opposed to those of subscribed channels). */
  get nodeId(): string {
    return this.opts.nodeId
  }

  #iso(): string {
    return new Date(this.#now()).toISOString()
  }

  async get(id: string): Promise<Resource> {
    const r = await this.#store.get(id)
    if (!r) throw new ProblemError('not_found')
    return r
  }

  async #write(records: Resource[], withOps?: readonly BatchOp[]): Promise<void> {
    try {
      await this.#store.writeUnlocked(records, { sync: true, ...(withOps ? { with: withOps } : {}) })
    } catch (err) {
      if (err instanceof IdentifierConflict) {
        throw new ProblemError('identifier_taken', {
          detail: `${err.identifier} → ${err.ownerId}`,
          errors: [{ pointer: '/metadata/identifiers', detail: 'identifier_taken' }],
        })
      }
      throw err
    }
  }

  async #checkParent(parentId: string | null, type: Resource['type']): Promise<void> {
    if (!parentId) return
    const parent = await this.#store.get(parentId)
    const allowed =
      (type === 'journal-issue' && parent?.type === 'journal') ||
      (type === 'article' && parent?.type === 'journal-issue') ||
      (type === 'lecture' && parent?.type === 'course')
    if (!allowed)
      throw new ProblemError('validation_failed', { errors: [{ pointer: '/parentId', detail: 'invalid_parent' }] })
  }

  /**
   * Creates a draft. `extra` carries what only a course or a lecture has (the courses module
   * passes it; the generic staff route never does).
   */
  async create(req: CreateResourceRequest, extra: Pick<Resource, 'course' | 'lecture'> = {}): Promise<Resource> {
    return this.#store.exclusive(async () => {
      await this.#checkParent(req.parentId, req.type)
      const now = this.#iso()
      const record: Resource = {
        id: this.#store.newId(),
        type: req.type,
        metadata: req.metadata,
        access: req.access,
        status: 'draft',
        nodeId: this.opts.nodeId,
        parentId: req.parentId,
        files: [],
        toc: [],
        createdAt: now,
        updatedAt: now,
        publishedAt: null,
        revision: 1,
        ...(extra.course ? { course: extra.course } : {}),
        ...(extra.lecture ? { lecture: extra.lecture } : {}),
      }
      await this.#write([record])
      return record
    })
  }

  /**
   * Applies `change` to the current record when its revision is `expected` (or always, when
   * `expected` is undefined); a stale revision is a `precondition_failed` problem.
   */
  async #change(
    id: string,
    expected: number | undefined,
    change: (r: Resource) => Resource | Promise<Resource>,
    withOps?: readonly BatchOp[],
  ): Promise<Resource> {
    return this.#store.exclusive(async () => {
      const current = await this.get(id)
      if (expected !== undefined && expected !== current.revision) throw new ProblemError('precondition_failed')
      if (current.nodeId !== this.opts.nodeId)
        throw new ProblemError('conflict', {
          detail: 'this record comes from another library’s channel: its publisher changes it',
        })
      const next = await change(current)
      // Never stamped older than the version it replaces (README "Clocks"): subscribers keep the newer.
      const updated: Resource = {
        ...next,
        id,
        revision: current.revision + 1,
        updatedAt: nextStamp(this.#now(), current.updatedAt),
      }
      await this.#write([updated], withOps)
      return updated
    })
  }

  /**
   * A change a module makes to its own kind of record (the courses module: a lecture's files,
   * status and chapters) under the same lock, revision and publisher rules as every edit: one
   * write, so a record is never half-changed. `withOps`: the module's own operations that must
   * land in the same batch (a lecture's video and its transcode job).
   */
  amend(
    id: string,
    change: (r: Resource) => Resource | Promise<Resource>,
    expected?: number,
    withOps?: readonly BatchOp[],
  ): Promise<Resource> {
    return this.#change(id, expected, change, withOps)
  }

  update(id: string, req: UpdateResourceRequest, expected?: number): Promise<Resource> {
    return this.#change(id, expected, async (r) => {
      if (req.parentId !== undefined) await this.#checkParent(req.parentId, r.type)
      return {
        ...r,
        ...(req.metadata ? { metadata: req.metadata } : {}),
        ...(req.access ? { access: req.access } : {}),
        ...(req.parentId !== undefined ? { parentId: req.parentId } : {}),
      }
    })
  }

  /** Attaches files (content, cover, …) and what was read from them. */
  attachFiles(
    id: string,
    files: ResourceFile[],
    extracted: { toc?: Chapter[]; metadata?: Partial<Resource['metadata']> } = {},
    expected?: number,
  ): Promise<Resource> {
    return this.#change(id, expected, (r) => {
      const replaced = new Set<string>(files.map((f) => f.role).filter((role) => role !== 'page-image'))
      return {
        ...r,
        files: [...r.files.filter((f) => !replaced.has(f.role)), ...files],
        toc: extracted.toc ?? r.toc,
        metadata: { ...r.metadata, ...extracted.metadata },
      }
    })
  }

  publish(id: string, expected?: number): Promise<Resource> {
    return this.#change(id, expected, (r) => {
      if (r.status === 'published') return r
      return { ...r, status: 'published', publishedAt: r.publishedAt ?? this.#iso() }
    })
  }

  withdraw(id: string, expected?: number): Promise<Resource> {
    return this.#change(id, expected, (r) => ({ ...r, status: 'withdrawn' }))
  }

  /** Deletes a draft or withdrawn record; published ones must be withdrawn first. */
  async delete(id: string, expected?: number): Promise<void> {
    await this.#store.exclusive(async () => {
      const current = await this.get(id)
      if (expected !== undefined && expected !== current.revision) throw new ProblemError('precondition_failed')
      if (current.status === 'published') throw new ProblemError('conflict', { detail: 'withdraw it first' })
      await this.#store.deleteUnlocked(current, this.#iso())
    })
  }

  /**
   * Takes records another node publishes (a subscribed channel) as they are: published or
   * withdrawn, under their own ids, marked with their publisher. A record of this node's own,
   * or of another publisher, under the same id is left alone; identifiers another record here
   * already holds are left off the copy (the local record keeps them).
   * @returns how many records changed.
   */
  async upsertForeign(publisher: string, records: ForeignRecord[]): Promise<number> {
    if (!records.length) return 0
    return this.#store.exclusive(async () => {
      const existing = await this.#store.getMany(records.map((r) => r.id))
      const identifiers = [...new Set(records.flatMap((r) => r.metadata.identifiers))]
      const holders = new Map(identifiers.map((id, i) => [id, ''] as [string, string]))
      ;(await this.#store.ownersOf(identifiers)).forEach((h, i) => h && holders.set(identifiers[i]!, h))
      const now = this.#iso()
      const out: Resource[] = []
      records.forEach((r, i) => {
        const before = existing[i]
        if (before && before.nodeId !== publisher) return
        const status = r.withdrawn ? ('withdrawn' as const) : ('published' as const)
        const free = r.metadata.identifiers.filter((id) => !holders.get(id) || holders.get(id) === r.id)
        free.forEach((id) => holders.set(id, r.id))
        const metadata = { ...r.metadata, identifiers: free }
        if (
          before &&
          JSON.stringify([before.type, before.metadata, before.access, before.files, before.toc, before.status]) ===
            JSON.stringify([r.type, metadata, r.access, r.files, r.toc, status])
        )
          return
        out.push({
          id: r.id,
          type: r.type,
          metadata,
          access: r.access,
          status,
          nodeId: publisher,
          parentId: null,
          files: r.files,
          toc: r.toc,
          createdAt: before?.createdAt ?? now,
          updatedAt: now,
          publishedAt: before?.publishedAt ?? (status === 'published' ? r.updatedAt : null),
          revision: (before?.revision ?? 0) + 1,
        })
      })
      // Re-applied from the catalog after a crash, so no fsync per batch.
      if (out.length) await this.#store.writeUnlocked(out, { sync: false })
      return out.length
    })
  }

  /**
   * Imports records, matching existing ones by any of their identifiers: a record seen before
   * is updated in place, a new one created. One batch for the lot (the caller sizes it); a
   * record whose identifiers name two different records is refused on its own.
   * @returns per input record: `created`, `updated` or `unchanged` with the record's id, or a reason it was refused.
   */
  async importBatch(records: ImportRecord[]): Promise<ImportOutcome[]> {
    return this.#store.exclusive(async () => {
      const now = this.#iso()
      const identifiers = [...new Set(records.flatMap((r) => r.identifiers))]
      const holders = await this.#store.ownersOf(identifiers)
      /** identifier → record id, kept current as the batch claims and releases identifiers. */
      const claim = new Map<string, string>()
      identifiers.forEach((id, i) => holders[i] && claim.set(id, holders[i]))
      const heldIds = [...new Set(holders.filter((h): h is string => !!h))]
      const held = new Map<string, Resource>()
      ;(await this.#store.getMany(heldIds)).forEach((r) => r && held.set(r.id, r))
      const out: ImportOutcome[] = []
      const toWrite = new Map<string, Resource>()
      for (const rec of records) {
        const { type, access, status, ...metadata } = rec
        const owners = new Set(metadata.identifiers.map((i) => claim.get(i)).filter((x): x is string => !!x))
        if (owners.size > 1) {
          out.push({ error: `identifiers belong to different records: ${[...owners].join(', ')}` })
          continue
        }
        const ownerId = owners.values().next().value
        const existing = ownerId ? (toWrite.get(ownerId) ?? held.get(ownerId)) : undefined
        let next: Resource
        if (existing) {
          const merged = {
            type,
            access,
            metadata,
            status:
              status === 'published' || existing.status === 'published' ? ('published' as const) : existing.status,
          }
          if (
            JSON.stringify([merged.type, merged.access, merged.metadata, merged.status]) ===
            JSON.stringify([existing.type, existing.access, existing.metadata, existing.status])
          ) {
            out.push({ status: 'unchanged', id: existing.id })
            continue
          }
          next = {
            ...existing,
            ...merged,
            revision: existing.revision + 1,
            updatedAt: nextStamp(Date.parse(now), existing.updatedAt),
            publishedAt: existing.publishedAt ?? (merged.status === 'published' ? now : null),
          }
          for (const id of existing.metadata.identifiers) if (claim.get(id) === existing.id) claim.delete(id)
          out.push({ status: 'updated', id: existing.id })
        } else {
          next = {
            id: this.#store.newId(),
            type,
            metadata,
            access,
            status,
            nodeId: this.opts.nodeId,
            parentId: null,
            files: [],
            toc: [],
            createdAt: now,
            updatedAt: now,
            publishedAt: status === 'published' ? now : null,
            revision: 1,
          }
          out.push({ status: 'created', id: next.id })
        }
        for (const id of metadata.identifiers) claim.set(id, next.id)
        toWrite.set(next.id, next)
      }
      await this.#store.writeUnlocked([...toWrite.values()], { sync: true })
      return out
    })
  }
}

/** A record as another node publishes it in a channel. */
export type ForeignRecord = Pick<Resource, 'id' | 'type' | 'metadata' | 'access' | 'files' | 'toc'> & {
  withdrawn: boolean
  updatedAt: string
}

export type ImportOutcome = { status: 'created' | 'updated' | 'unchanged'; id: string } | { error: string }
