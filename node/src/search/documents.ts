/**
 * @module search/documents
 * What the search engines are given of a record: its words (title, creators, subjects,
 * description, and the rest low; a lecture's transcript lowest), its facets and its tie-breakers.
 * Nothing about readers.
 */
import type { Resource } from '@shulin/protocol'
import type { SearchDocument } from './engine.js'

/** Chapter titles indexed per record (a table of contents can be long). */
const maxChapters = 200

/** `transcript`: a lecture's subtitle text (search/transcript), read by the caller from the blob store. */
export function toSearchDocument(r: Resource, popularity: number, transcript?: string): SearchDocument {
  const m = r.metadata
  const other = [
    m.publisher,
    m.series,
    m.clc,
    ...m.identifiers,
    ...r.toc.slice(0, maxChapters).map((c) => c.title),
  ].filter((s): s is string => !!s)
  const published = Date.parse(r.publishedAt ?? r.createdAt)
  return {
    id: r.id,
    revision: r.revision,
    title: m.title,
    creators: m.creators,
    subjects: m.subjects,
    description: m.description ?? '',
    other,
    ...(transcript && { transcript }),
    type: r.type,
    language: m.language,
    access: r.access,
    status: r.status,
    source: r.nodeId,
    year: m.date ? Number(m.date.slice(0, 4)) : undefined,
    published: Number.isFinite(published) ? published : 0,
    popularity,
  }
}
