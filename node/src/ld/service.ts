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
import { LD_PREFIXES, ldNameId, ldUri, type Resource } from '@shulin/protocol'
import type { ResourceChange, ResourceRecords } from '../resources/store.js'
import type { Logger } from '../logger.js'
import type { ActivityRecord } from '../activities/store.js'
import {
  activityQuads,
  libraryQuads,
  namedIn,
  namedInActivity,
  namedQuads,
  portalPath,
  recordKind,
  recordQuads,
  type NamedThing,
} from './triples.js'

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

/** What linked data reads of the activities (ActivitiesService has it). */
export interface LdActivities {
  /** @throws when there is no such activity */
  get(id: string): Promise<ActivityRecord>
  /** The published activities. */
  list(): Promise<ActivityRecord[]>
  onActivity(listener: (rec: ActivityRecord, previous: ActivityRecord | undefined) => void): () => void
}

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
  /** The reading activities (events, recitation contests), when the node runs them. */
  activities?: LdActivities
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
  readonly #unsubscribe: Array<() => void> = []
  readonly #follow: (work: () => Promise<void>) => void
  #activities: LdActivities | undefined

  constructor(readonly opts: LinkedDataOptions) {
    const follow = (work: () => Promise<void>) => {
      this.#queue = this.#queue
        .then(work)
        .catch((err: unknown) => this.opts.logger?.warn({ err }, 'linked data change not applied'))
    }
    this.#follow = follow
    this.#unsubscribe.push(opts.resources.onChange((changes) => follow(() => this.#apply(changes))))
    if (opts.activities) this.followActivities(opts.activities)
  }

  /**
   * Publishes the activities too, and follows their changes (for a node whose activities service
   * is built after this one). Call it before the first use.
   */
  followActivities(activities: LdActivities): void {
    this.#activities = activities
    const follow = this.#follow
    this.#unsubscribe.push(activities.onActivity((rec, previous) => follow(() => this.#applyActivity(rec, previous))))
  }

  /** Stops following the records. */
  close(): void {
    this.#unsubscribe.forEach((stop) => stop())
  }

  /** Resolves once every record change seen so far has been applied and told to listeners. */
  settled(): Promise<void> {
    return this.#queue
  }

  /** This node's public origin. */
  origin(): string {
    return this.opts.origin().replace(/\/+$/, '')
  }

  /** When a record last changed (ISO 8601), if any did. */
  async lastChange(): Promise<string | undefined> {
    return (await this.opts.resources.latestChange())?.split('!')[0]
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
      case 'activity': {
        const rec = await this.#activities?.get(id).catch(() => undefined)
        return rec?.status === 'published' ? this.#activityQuads(rec) : null
      }
    }
  }

  /**
   * The links to a named thing from the published records and activities naming it (up to
   * `limit` of them), with each one's title: what a person's, subject's, class's or place's
   * document lists besides the thing itself. Not part of {@link describe}, whose quads all have
   * the thing as subject.
   */
  async backlinks(kind: NamedThing['kind'], id: string, limit = 1000): Promise<Quad[]> {
    const thing = { kind, id: kind === 'class' ? id.trim() : ldNameId(id) }
    const by = [...((await this.#index()).get(nameKey(thing)) ?? [])].slice(0, limit)
    const target = ldUri(this.origin(), thing.kind, thing.id)
    const out: Quad[] = []
    for (const ref of by) {
      let quads: Quad[] = []
      if (ref.startsWith('activity:')) {
        const rec = await this.#activities?.get(ref.slice('activity:'.length)).catch(() => undefined)
        if (rec?.status === 'published') quads = await this.#activityQuads(rec)
      } else {
        const r = await this.opts.resources.get(ref)
        if (r?.status === 'published') quads = await this.#recordQuads(r)
      }
      out.push(...quads.filter((q) => q.object.value === target || q.predicate.value === `${LD_PREFIXES.dcterms}title`))
    }
    return out
  }

  /** Every quad the node publishes (published records and the things they name), streamed. */
  async *allQuads(): AsyncIterable<Quad> {
    yield* this.#libraryQuads()
    for await (const r of this.opts.resources.all()) {
      if (r.status === 'published') yield* await this.#recordQuads(r)
    }
    for (const rec of (await this.#activities?.list()) ?? [])
      if (rec.status === 'published') yield* await this.#activityQuads(rec)
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
    const found = publicOrigin(await this.opts.publisherOrigin?.(nodeId).catch(() => undefined))
    if (found) this.#origins.set(nodeId, found)
    return found ?? this.origin()
  }

  async #activityQuads(rec: ActivityRecord): Promise<Quad[]> {
    const organiser = rec.organiser.nodeId ?? this.opts.nodeId
    const origin = await this.#originOf(organiser)
    const works: string[] = []
    for (const t of rec.request.texts) {
      const r = await this.opts.resources.get(t.resource)
      if (r?.status === 'published') works.push(await this.recordUri(r))
    }
    return activityQuads(rec, {
      uri: ldUri(origin, 'activity', rec.id),
      origin: this.origin(),
      organiser: ldUri(origin, 'library', organiser),
      portal: this.origin() + portalPath('activity', rec.id),
      works,
    })
  }

  /**
   * The named things and what names each: record ids, and `activity:ID` for activities (an
   * activity's id space is not the records').
   */
  #index(): Promise<Map<string, Set<string>>> {
    this.#names ??= (async () => {
      const names = new Map<string, Set<string>>()
      const add = (t: NamedThing, by: string) => {
        const key = nameKey(t)
        let ids = names.get(key)
        if (!ids) names.set(key, (ids = new Set()))
        ids.add(by)
      }
      for await (const r of this.opts.resources.all()) {
        if (r.status === 'published') for (const t of namedIn(r)) add(t, r.id)
      }
      for (const rec of (await this.#activities?.list()) ?? [])
        if (rec.status === 'published') for (const t of namedInActivity(rec)) add(t, `activity:${rec.id}`)
      return names
    })()
    return this.#names
  }

  /** Moves the names `by` links to from `before` to `after`, and says which things came or went. */
  #relink(
    names: Map<string, Set<string>>,
    by: string,
    before: NamedThing[],
    after: NamedThing[],
    out: LdSubjectChange[],
  ): void {
    const origin = this.origin()
    const afterKeys = new Set(after.map(nameKey))
    for (const t of before) {
      const key = nameKey(t)
      if (afterKeys.has(key)) continue
      const ids = names.get(key)
      if (!ids?.delete(by) || ids.size) continue
      names.delete(key)
      out.push({ ...t, uri: ldUri(origin, t.kind, t.id), change: 'removed', quads: [] })
    }
    for (const t of after) {
      const key = nameKey(t)
      let ids = names.get(key)
      if (!ids) names.set(key, (ids = new Set()))
      if (ids.has(by)) continue
      ids.add(by)
      if (ids.size === 1)
        out.push({ ...t, uri: ldUri(origin, t.kind, t.id), change: 'added', quads: namedQuads(origin, t) })
    }
  }

  async #applyActivity(rec: ActivityRecord, previous: ActivityRecord | undefined): Promise<void> {
    const names = await this.#index()
    const was = previous?.status === 'published'
    const is = rec.status === 'published'
    if (!was && !is) return
    const out: LdSubjectChange[] = []
    const quads = is ? await this.#activityQuads(rec) : []
    const uri = ldUri(await this.#originOf(rec.organiser.nodeId ?? this.opts.nodeId), 'activity', rec.id)
    out.push({ kind: 'activity', id: rec.id, uri, change: !is ? 'removed' : was ? 'changed' : 'added', quads })
    this.#relink(
      names,
      `activity:${rec.id}`,
      was ? namedInActivity(previous!) : [],
      is ? namedInActivity(rec) : [],
      out,
    )
    await this.#tell(out)
  }

  async #tell(out: LdSubjectChange[]): Promise<void> {
    if (!out.length) return
    for (const l of this.#listeners) {
      try {
        await l(out)
      } catch (err) {
        this.opts.logger?.warn({ err }, 'linked data listener failed')
      }
    }
  }

  async #apply(changes: ResourceChange[]): Promise<void> {
    const names = await this.#index()
    const out: LdSubjectChange[] = []
    for (const ch of changes) {
      const r = ch.resource
      const kind = recordKind(r.type)
      const before = ch.kind === 'put' ? ch.previous : r
      const was = before?.status === 'published'
      const is = ch.kind === 'put' && r.status === 'published'
      if (!was && !is) continue
      const uri = await this.recordUri(r)
      out.push(
        is
          ? { kind, id: r.id, uri, change: was ? 'changed' : 'added', quads: await this.#recordQuads(r) }
          : { kind, id: r.id, uri, change: 'removed', quads: [] },
      )
      this.#relink(names, r.id, was ? namedIn(before!) : [], is ? namedIn(r) : [], out)
    }
    await this.#tell(out)
  }
}

/** A web address as an origin for URIs (scheme, host, port and any path, no trailing slash), if it is one. */
function publicOrigin(address: string | undefined): string | undefined {
  if (!address) return undefined
  try {
    const url = new URL(address)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
    return url.origin + url.pathname.replace(/\/+$/, '')
  } catch {
    return undefined
  }
}

const nameKey = (t: NamedThing) => `${t.kind}\u0000${t.id}`
const thingOf = (key: string): NamedThing => {
  const [kind, id] = key.split('\u0000') as [NamedThing['kind'], string]
  return { kind, id }
}
