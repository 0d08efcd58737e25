/**
 * @module ld/service
 * The node's linked data: every published thing as RDF/JS quads under its stable URI
 * (`/ld/{kind}/{id}`, see protocol's ld/uris). One service answers the `/ld` documents, the
 * dumps, the VoID description, and feeds the SPARQL store (node/src/ld/sparql) and the knowledge
 * cards (node/src/ld/cards) through {@link LinkedData.onChange}.
 *
 * A record taken in from another library's channel keeps its publisher's URI (the publisher's
 * public origin); the things it names (persons, subjects, classes, places) are this node's, so
 * one name is one thing across local and taken-in records.
 */
import type { Quad } from '@rdfjs/types'
import type { LdKind } from '@shulin/protocol'
import { ldNameId, ldUri, type Resource } from '@shulin/protocol'
import type { ResourceChange, ResourceRecords } from '../resources/store.js'
import type { Logger } from '../logger.js'
import { libraryQuads, namedIn, namedQuads, recordKind, recordQuads, type NamedThing } from './triples.js'

/** One subject that changed: replace every quad with subject `uri` by `quads`. */
export interface LdSubjectChange {
  kind: LdKind
  /** The id in the kind's URI space (record id, catalogued name, class number). */
  id: string
  /** The subject's absolute URI. */
  uri: string
  change: 'added' | 'changed' | 'removed'
  /** The subject's quads now; empty when removed. */
  quads: Quad[]
}

export type LdListener = (changes: LdSubjectChange[]) => void | Promise<void>

export interface LinkedDataOptions {
  resources: ResourceRecords
  /** This node's id (its own records, as opposed to those taken in from channels). */
  nodeId: string
  /** This node's public origin, no trailing slash (the profile's public URL, else the listen address). */
  origin: () => string
  /** Another library's public origin, for the records taken in from its channels. */
  publisherOrigin?: (nodeId: string) => Promise<string | undefined>
  /** The library's name, for its own description. */
  libraryName?: () => string
  logger?: Logger
}

export class LinkedData {
  readonly #listeners = new Set<LdListener>()
  /** `kind\0id` of each named thing → the published records naming it (built on first use). */
  #names: Promise<Map<string, Set<string>>> | undefined
  /** Changes are applied one after another, in the order the records were written. */
  #queue: Promise<void> = Promise.resolve()
  /** Publisher node id → its public origin, once learnt. */
  readonly #origins = new Map<string, string>()
  readonly #unsubscribe: () => void

  constructor(readonly opts: LinkedDataOptions) {
    this.#unsubscribe = opts.resources.onChange((changes) => {
      this.#queue = this.#queue
        .then(() => this.#apply(changes))
        .catch((err: unknown) => this.opts.logger?.warn({ err }, 'linked data change not applied'))
    })
  }

  /** Stops following the records. */
  close(): void {
    this.#unsubscribe()
  }

  /** Resolves once every record change seen so far has been applied and told to listeners. */
  settled(): Promise<void> {
    return this.#queue
  }

  /** This node's public origin. */
  origin(): string {
    return this.opts.origin().replace(/\/+$/, '')
  }

  /** This node's library URI. */
  libraryUri(): string {
    return ldUri(this.origin(), 'library', this.opts.nodeId)
  }

  /** The URI of a record (its publisher's, for one taken in from a channel). */
  async recordUri(r: Resource): Promise<string> {
    return ldUri(await this.#originOf(r.nodeId), recordKind(r.type), r.id)
  }

  /** The quads whose subject is the thing, or `null` when the node publishes no such thing. */
  async describe(kind: LdKind, id: string): Promise<Quad[] | null> {
    switch (kind) {
      case 'resource':
      case 'course':
      case 'lecture': {
        const r = await this.opts.resources.get(id)
        if (!r || r.status !== 'published' || recordKind(r.type) !== kind) return null
        return this.#recordQuads(r)
      }
      case 'person':
      case 'subject':
      case 'class':
      case 'place': {
        const thing = { kind, id: kind === 'class' ? id.trim() : ldNameId(id) }
        return (await this.#index()).get(nameKey(thing))?.size ? namedQuads(this.origin(), thing) : null
      }
      case 'library':
        return id === this.opts.nodeId ? this.#libraryQuads() : null
      case 'activity':
        return null
    }
  }

  /** Every quad the node publishes (published records and the things they name), streamed. */
  async *allQuads(): AsyncIterable<Quad> {
    yield* this.#libraryQuads()
    for await (const r of this.opts.resources.all()) {
      if (r.status === 'published') yield* await this.#recordQuads(r)
    }
    const origin = this.origin()
    for (const [key, ids] of await this.#index()) if (ids.size) yield* namedQuads(origin, thingOf(key))
  }

  /** The named things published now (persons, subjects, classes, places). */
  async namedThings(): Promise<NamedThing[]> {
    return [...(await this.#index())].filter(([, ids]) => ids.size).map(([key]) => thingOf(key))
  }

  /**
   * Called after records are created, edited, withdrawn, deleted or taken in, with the subjects
   * that were added, changed or removed. Returns a function that stops the calls.
   */
  onChange(listener: LdListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #libraryQuads(): Quad[] {
    return libraryQuads(this.libraryUri(), this.origin() + '/', this.opts.libraryName?.())
  }

  async #recordQuads(r: Resource): Promise<Quad[]> {
    const recordOrigin = await this.#originOf(r.nodeId)
    return recordQuads(r, {
      recordOrigin,
      origin: this.origin(),
      library: ldUri(recordOrigin, 'library', r.nodeId),
    })
  }

  /**
   * The origin a publisher's URIs are under: this node's for its own records; for a record taken
   * in from a channel, the publisher's public web address (the registry's entry, else the
   * channel's record). Until that is known, this node's (the record is still served here).
   */
  async #originOf(nodeId: string): Promise<string> {
    if (nodeId === this.opts.nodeId) return this.origin()
    const known = this.#origins.get(nodeId)
    if (known) return known
    const found = (await this.opts.publisherOrigin?.(nodeId).catch(() => undefined))?.replace(/\/+$/, '')
    if (found) this.#origins.set(nodeId, found)
    return found ?? this.origin()
  }

  #index(): Promise<Map<string, Set<string>>> {
    this.#names ??= (async () => {
      const names = new Map<string, Set<string>>()
      for await (const r of this.opts.resources.all()) {
        if (r.status !== 'published') continue
        for (const t of namedIn(r)) {
          const key = nameKey(t)
          let ids = names.get(key)
          if (!ids) names.set(key, (ids = new Set()))
          ids.add(r.id)
        }
      }
      return names
    })()
    return this.#names
  }

  async #apply(changes: ResourceChange[]): Promise<void> {
    const names = await this.#index()
    const out: LdSubjectChange[] = []
    const origin = this.origin()
    for (const ch of changes) {
      const r = ch.resource
      const kind = recordKind(r.type)
      const was = ch.kind === 'put' ? ch.previous?.status === 'published' : r.status === 'published'
      const is = ch.kind === 'put' && r.status === 'published'
      if (!was && !is) continue
      const uri = await this.recordUri(r)
      out.push(
        is
          ? { kind, id: r.id, uri, change: was ? 'changed' : 'added', quads: await this.#recordQuads(r) }
          : { kind, id: r.id, uri, change: 'removed', quads: [] },
      )
      const before = was ? namedIn(ch.kind === 'put' ? ch.previous! : r) : []
      const after = is ? namedIn(r) : []
      const afterKeys = new Set(after.map(nameKey))
      for (const t of before) {
        const key = nameKey(t)
        if (afterKeys.has(key)) continue
        const ids = names.get(key)
        if (!ids?.delete(r.id) || ids.size) continue
        names.delete(key)
        out.push({ ...t, uri: ldUri(origin, t.kind, t.id), change: 'removed', quads: [] })
      }
      for (const t of after) {
        const key = nameKey(t)
        let ids = names.get(key)
        if (!ids) names.set(key, (ids = new Set()))
        if (ids.has(r.id)) continue
        ids.add(r.id)
        if (ids.size === 1)
          out.push({ ...t, uri: ldUri(origin, t.kind, t.id), change: 'added', quads: namedQuads(origin, t) })
      }
    }
    if (!out.length) return
    for (const l of this.#listeners) {
      try {
        await l(out)
      } catch (err) {
        this.opts.logger?.warn({ err }, 'linked data listener failed')
      }
    }
  }
}

const nameKey = (t: NamedThing) => `${t.kind}\u0000${t.id}`
const thingOf = (key: string): NamedThing => {
  const [kind, id] = key.split('\u0000') as [NamedThing['kind'], string]
  return { kind, id }
}
