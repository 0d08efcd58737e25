/**
 * @module collections/service
 * Columns (栏目) and topics (专题). Owns the `collections` sublevel (id → record). Readers see
 * a collection only inside its publish window, and only the published resources in it.
 * {@link CollectionService.onItemsAdded} lets another module (subscriptions) write its own
 * records in the same commit as an edit that adds items, so none is lost to a crash.
 */
import { monotonicFactory } from 'ulid'
import type { Collection, CollectionKind, CreateCollectionRequest, UpdateCollectionRequest } from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'
import type { ResourceRecords } from '../resources/store.js'

/** Ops to commit with an edit of `collection` that added `added` (in its order) at `at` (ms). */
export type ItemsAddedHook = (collection: Collection, added: string[], at: number) => BatchOp[]

export class CollectionService {
  readonly #db: Sublevel<Collection>
  readonly #itemsAdded: ItemsAddedHook[] = []
  readonly #mutex = new Mutex()
  readonly #ulid = monotonicFactory()

  constructor(
    private readonly storage: Storage,
    private readonly resources: Pick<ResourceRecords, 'getMany'>,
    private readonly now: () => number = Date.now,
  ) {
    this.#db = storage.sublevel<Collection>('collections')
  }

  /** Called inside each edit that adds items to a collection (not at creation: nobody follows it yet). */
  onItemsAdded(hook: ItemsAddedHook): void {
    this.#itemsAdded.push(hook)
  }

  async get(id: string): Promise<Collection> {
    const c = await this.#db.get(id)
    if (!c) throw new ProblemError('not_found')
    return c
  }

  /** Whether readers see it now. */
  isVisible(c: Collection, at = this.now()): boolean {
    const iso = new Date(at).toISOString()
    return (!c.visibleFrom || c.visibleFrom <= iso) && (!c.visibleUntil || iso < c.visibleUntil)
  }

  /** Every collection (of a kind), ordered by position then creation. */
  async list(kind?: CollectionKind): Promise<Collection[]> {
    const out: Collection[] = []
    for await (const [, c] of this.#db.iterator()) if (!kind || c.kind === kind) out.push(c)
    return out.sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1))
  }

  async listVisible(kind?: CollectionKind): Promise<Collection[]> {
    return (await this.list(kind)).filter((c) => this.isVisible(c))
  }

  /** A collection readers may see, or `not_found`. */
  async getVisible(id: string): Promise<Collection> {
    const c = await this.#db.get(id)
    if (!c || !this.isVisible(c)) throw new ProblemError('not_found')
    return c
  }

  /** Ids of the collections that list a resource (OAI-PMH sets, record pages). */
  async containing(resourceId: string): Promise<Collection[]> {
    return (await this.list()).filter((c) => c.items.includes(resourceId))
  }

  async #checkItems(items: string[]): Promise<string[]> {
    const unique = [...new Set(items)]
    const found = await this.resources.getMany(unique)
    const missing = unique.filter((_, i) => !found[i])
    if (missing.length)
      throw new ProblemError('validation_failed', {
        errors: missing.slice(0, 20).map((id) => ({ pointer: '/items', detail: `unknown resource ${id}` })),
      })
    return unique
  }

  async create(req: CreateCollectionRequest): Promise<Collection> {
    return this.#mutex.run(async () => {
      const at = new Date(this.now()).toISOString()
      const c: Collection = {
        id: this.#ulid(),
        kind: req.kind,
        title: req.title,
        ...(req.description !== undefined ? { description: req.description } : {}),
        cover: null,
        items: await this.#checkItems(req.items),
        position: req.position,
        visibleFrom: req.visibleFrom,
        visibleUntil: req.visibleUntil,
        createdAt: at,
        updatedAt: at,
        revision: 1,
      }
      await this.storage.commit([putOp(this.#db, c.id, c)], { sync: true })
      return c
    })
  }

  async update(
    id: string,
    req: UpdateCollectionRequest & { cover?: Collection['cover'] },
    expected?: number,
  ): Promise<Collection> {
    return this.#mutex.run(async () => {
      const current = await this.get(id)
      if (expected !== undefined && expected !== current.revision) throw new ProblemError('precondition_failed')
      const next: Collection = {
        ...current,
        ...(req.title !== undefined ? { title: req.title } : {}),
        ...(req.description !== undefined ? { description: req.description } : {}),
        ...(req.items !== undefined ? { items: await this.#checkItems(req.items) } : {}),
        ...(req.position !== undefined ? { position: req.position } : {}),
        ...(req.visibleFrom !== undefined ? { visibleFrom: req.visibleFrom } : {}),
        ...(req.visibleUntil !== undefined ? { visibleUntil: req.visibleUntil } : {}),
        ...(req.cover !== undefined ? { cover: req.cover } : {}),
        updatedAt: new Date(this.now()).toISOString(),
        revision: current.revision + 1,
      }
      if (next.visibleFrom && next.visibleUntil && next.visibleFrom >= next.visibleUntil) {
        throw new ProblemError('validation_failed', {
          errors: [{ pointer: '/visibleUntil', detail: 'window_reversed' }],
        })
      }
      const before = new Set(current.items)
      const added = next.items.filter((i) => !before.has(i))
      const at = this.now()
      const extra = added.length ? this.#itemsAdded.flatMap((hook) => hook(next, added, at)) : []
      await this.storage.commit([putOp(this.#db, id, next), ...extra], { sync: true })
      return next
    })
  }

  async delete(id: string, expected?: number): Promise<void> {
    await this.#mutex.run(async () => {
      const current = await this.get(id)
      if (expected !== undefined && expected !== current.revision) throw new ProblemError('precondition_failed')
      await this.storage.commit([delOp(this.#db, id)], { sync: true })
    })
  }

  /** Cover blobs, for garbage collection. */
  async referencedBlobs(): Promise<Set<string>> {
    const out = new Set<string>()
    for (const c of await this.list()) if (c.cover) out.add(c.cover.blob)
    return out
  }
}
