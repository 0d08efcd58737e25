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
import type { ResourceRecords } from '../resources/store.js'

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
}

export class LinkedData {
  readonly #listeners = new Set<LdListener>()

  constructor(readonly opts: LinkedDataOptions) {}

  /** This node's public origin. */
  origin(): string {
    return this.opts.origin().replace(/\/+$/, '')
  }

  /** The quads whose subject is the thing, or `null` when the node publishes no such thing. */
  async describe(kind: LdKind, id: string): Promise<Quad[] | null> {
    void kind
    void id
    return null
  }

  /** Every quad the node publishes (published records and the things they name), streamed. */
  async *allQuads(): AsyncIterable<Quad> {}

  /**
   * Called after records are created, edited, withdrawn, deleted or taken in, with the subjects
   * that were added, changed or removed. Returns a function that stops the calls.
   */
  onChange(listener: LdListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
