/**
 * @module opds/feed-v1
 * OPDS 1.2 catalogs: Atom navigation and acquisition feeds.
 */
import type { Resource } from '@shulin/protocol'
import { el, xmlText } from '../xml/escape.js'
import { atomType, authDocType, recordLinks, rels } from './links.js'

export interface FeedHead {
  id: string
  title: string
  updated: string
  base: string
  self: string
  kind: 'navigation' | 'acquisition'
  libraryName: string
  next?: string | undefined
  previous?: string | undefined
  first?: string | undefined
  /** OpenSearch totals, for search results. */
  totalResults?: number | undefined
  itemsPerPage?: number | undefined
}

export interface NavEntry {
  id: string
  title: string
  href: string
  kind: 'navigation' | 'acquisition'
  summary?: string | undefined
  updated: string
}

const link = (rel: string, href: string, type: string, extra: Record<string, string | number | undefined> = {}) =>
  el('link', { rel, href, type, ...extra })

function feed(head: FeedHead, entries: string[]): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/terms/" xmlns:opds="http://opds-spec.org/2010/catalog" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">' +
    el('id', {}, head.id) +
    el('title', {}, head.title) +
    el('updated', {}, head.updated) +
    `<author>${el('name', {}, head.libraryName)}</author>` +
    link('self', head.self, atomType[head.kind]) +
    link('start', `${head.base}/opds/v1.2/catalog.xml`, atomType.navigation) +
    link('search', `${head.base}/opds/v1.2/opensearch.xml`, 'application/opensearchdescription+xml') +
    link(rels.authDocument, `${head.base}/opds/auth.json`, authDocType) +
    (head.first ? link('first', head.first, atomType[head.kind]) : '') +
    (head.previous ? link('previous', head.previous, atomType[head.kind]) : '') +
    (head.next ? link('next', head.next, atomType[head.kind]) : '') +
    (head.totalResults !== undefined ? el('opensearch:totalResults', {}, head.totalResults) : '') +
    (head.itemsPerPage !== undefined ? el('opensearch:itemsPerPage', {}, head.itemsPerPage) : '') +
    entries.join('') +
    '</feed>\n'
  )
}

export function navigationFeed(head: FeedHead, entries: NavEntry[]): string {
  return feed(
    head,
    entries.map(
      (e) =>
        `<entry>${el('title', {}, e.title)}${el('id', {}, e.id)}${el('updated', {}, e.updated)}` +
        `${el('content', { type: 'text' }, e.summary ?? e.title)}${link('subsection', e.href, atomType[e.kind])}</entry>`,
    ),
  )
}

export function acquisitionFeed(head: FeedHead, records: Resource[], nodeId: string): string {
  return feed(
    head,
    records.map((r) => {
      const m = r.metadata
      const l = recordLinks(r, head.base)
      return (
        '<entry>' +
        el('title', {}, m.title) +
        el('id', {}, `urn:shulin:${nodeId}:${r.id}`) +
        el('updated', {}, r.updatedAt) +
        (r.publishedAt ? el('published', {}, r.publishedAt) : '') +
        m.creators.map((c) => `<author>${el('name', {}, c)}</author>`).join('') +
        m.identifiers.map((i) => el('dc:identifier', {}, i)).join('') +
        el('dc:language', {}, m.language) +
        (m.publisher ? el('dc:publisher', {}, m.publisher) : '') +
        (m.date ? el('dc:issued', {}, m.date) : '') +
        m.subjects.map((s) => el('category', { term: s, label: s })).join('') +
        (m.clc ? el('category', { scheme: 'urn:clc', term: m.clc, label: `中图法 ${m.clc}` }) : '') +
        (m.description ? `<summary type="text">${xmlText(m.description.slice(0, 2000))}</summary>` : '') +
        (m.rights ? el('rights', {}, m.rights) : '') +
        (l.cover ? link(rels.image, l.cover.href, l.cover.type) : '') +
        (l.thumbnail ? link(rels.thumbnail, l.thumbnail.href, l.thumbnail.type) : '') +
        (l.content ? link(l.content.rel, l.content.href, l.content.type, { length: l.content.length }) : '') +
        link('alternate', l.page, 'text/html') +
        '</entry>'
      )
    }),
  )
}

export function openSearchDescription(base: string, libraryName: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">' +
    el('ShortName', {}, libraryName.slice(0, 16)) +
    el('Description', {}, `${libraryName} 馆藏检索 / catalogue search`) +
    el('InputEncoding', {}, 'UTF-8') +
    el('OutputEncoding', {}, 'UTF-8') +
    el('Language', {}, 'zh-CN') +
    el('Url', {
      type: atomType.acquisition,
      template: `${base}/opds/v1.2/search.xml?q={searchTerms}&page={startPage?}`,
    }) +
    '</OpenSearchDescription>\n'
  )
}
