/**
 * @module ld/uris
 * Stable linked-data URIs of everything a node publishes: `{origin}/ld/{kind}/{id}`.
 *
 * Records (resource, course, lecture, activity, library) use their record id. Things named in
 * records (person, subject, place) use the name as catalogued, NFC-normalised, whitespace
 * collapsed: the same name in two records is one thing, and the URI stays readable (an IRI; it is
 * percent-encoded where a URI is needed). 中图法 classes use the class number.
 *
 * A record taken in from another library's channel keeps its publisher's URIs: pass that
 * library's origin, not this node's.
 *
 * @example
 * ```ts
 * ldPath('resource', 'r1')           // '/ld/resource/r1'
 * ldPath('person', ' 李白 ')          // '/ld/person/%E6%9D%8E%E7%99%BD'
 * ldUri('https://lib.example', 'class', 'I222.742') // 'https://lib.example/ld/class/I222.742'
 * parseLdPath('/ld/person/%E6%9D%8E%E7%99%BD') // { kind: 'person', id: '李白' }
 * ```
 */
import { z } from 'zod'

export const LdKind = z.enum([
  'resource',
  'course',
  'lecture',
  'person',
  'subject',
  'class',
  'place',
  'library',
  'activity',
])
export type LdKind = z.infer<typeof LdKind>

/** The id of a named thing (person, subject, place): NFC, whitespace collapsed and trimmed. */
export function ldNameId(name: string): string {
  return name.normalize('NFC').replace(/\s+/g, ' ').trim()
}

/** Path of a thing's URI, percent-encoded (names are normalised with {@link ldNameId}). */
export function ldPath(kind: LdKind, id: string): string {
  const key = kind === 'person' || kind === 'subject' || kind === 'place' ? ldNameId(id) : id
  return `/ld/${kind}/${encodeURIComponent(key)}`
}

/** Absolute URI of a thing under a node's public origin (no trailing slash expected). */
export function ldUri(origin: string, kind: LdKind, id: string): string {
  return origin.replace(/\/+$/, '') + ldPath(kind, id)
}

/** The kind and decoded id of a `/ld/{kind}/{id}` path, or `null` when it is not one. */
export function parseLdPath(path: string): { kind: LdKind; id: string } | null {
  const m = /^\/ld\/([a-z]+)\/([^/]+)$/.exec(path)
  if (!m) return null
  const kind = LdKind.safeParse(m[1])
  if (!kind.success) return null
  let id: string
  try {
    id = decodeURIComponent(m[2]!)
  } catch {
    return null
  }
  if (id === '' || id.length > 500) return null
  return { kind: kind.data, id }
}

/** Vocabularies the node's RDF uses, as prefix → namespace IRI. */
export const LD_PREFIXES = {
  schema: 'https://schema.org/',
  dcterms: 'http://purl.org/dc/terms/',
  dcmitype: 'http://purl.org/dc/dcmitype/',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  foaf: 'http://xmlns.com/foaf/0.1/',
  owl: 'http://www.w3.org/2002/07/owl#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  void: 'http://rdfs.org/ns/void#',
} as const
