/**
 * @module opds/feed-v2
 * OPDS 2.0 catalogs (`application/opds+json`): publications as Readium Web Publication
 * Manifests, navigation, groups for columns and topics, paging links and metadata.
 */
import type { Resource } from '@shulin/protocol'
import { authDocType, opds2Type, recordLinks, rels } from './links.js'

interface Link {
  href: string
  type?: string
  rel?: string
  title?: string
  templated?: boolean
  properties?: Record<string, unknown>
  length?: number
}

const schemaTypes: Record<Resource['type'], string> = {
  book: 'http://schema.org/Book',
  audiobook: 'http://schema.org/Audiobook',
  journal: 'http://schema.org/Periodical',
  'journal-issue': 'http://schema.org/PublicationIssue',
  article: 'http://schema.org/ScholarlyArticle',
  'image-set': 'http://schema.org/ImageGallery',
  video: 'http://schema.org/VideoObject',
  course: 'http://schema.org/Course',
  lecture: 'http://schema.org/VideoObject',
}

export function publication(r: Resource, base: string): Record<string, unknown> {
  const m = r.metadata
  const l = recordLinks(r, base)
  const links: Link[] = [
    { rel: 'self', href: `${base}/api/resources/${r.id}`, type: 'application/json' },
    { rel: 'alternate', href: l.page, type: 'text/html' },
  ]
  if (l.content) {
    links.push({
      rel: l.content.rel,
      href: l.content.href,
      type: l.content.type,
      length: l.content.length,
      ...(l.content.rel === rels.acquisition
        ? { properties: { authenticate: { href: `${base}/opds/auth.json`, type: authDocType } } }
        : {}),
    })
  }
  const images = [
    ...(l.cover ? [{ href: l.cover.href, type: l.cover.type }] : []),
    ...(l.thumbnail ? [{ href: l.thumbnail.href, type: l.thumbnail.type, width: 320 }] : []),
  ]
  return {
    metadata: {
      '@type': schemaTypes[r.type],
      title: m.title,
      ...(m.identifiers[0] ? { identifier: m.identifiers[0] } : {}),
      ...(m.creators.length ? { author: m.creators.map((name) => ({ name })) } : {}),
      language: m.language,
      ...(m.publisher ? { publisher: { name: m.publisher } } : {}),
      ...(m.date ? { published: m.date } : {}),
      modified: r.updatedAt,
      ...(m.description ? { description: m.description.slice(0, 2000) } : {}),
      ...(m.subjects.length || m.clc
        ? {
            subject: [
              ...m.subjects.map((name) => ({ name })),
              ...(m.clc ? [{ name: `中图法 ${m.clc}`, scheme: 'urn:clc', code: m.clc }] : []),
            ],
          }
        : {}),
      ...(m.series ? { belongsTo: { series: [{ name: m.series }] } } : {}),
      ...(m.extent?.pages ? { numberOfPages: m.extent.pages } : {}),
      ...(m.extent?.durationSeconds ? { duration: m.extent.durationSeconds } : {}),
    },
    links,
    ...(images.length ? { images } : {}),
  }
}

export interface FeedV2 {
  base: string
  title: string
  self: string
  itemsPerPage?: number | undefined
  currentPage?: number | undefined
  numberOfItems?: number | undefined
  next?: string | undefined
  previous?: string | undefined
  first?: string | undefined
  last?: string | undefined
  navigation?: Link[]
  publications?: Resource[]
  groups?: Array<{ title: string; href: string; publications: Resource[] }>
}

export function feedV2(f: FeedV2): Record<string, unknown> {
  const links: Link[] = [
    { rel: 'self', href: f.self, type: opds2Type },
    { rel: 'start', href: `${f.base}/opds/v2/catalog.json`, type: opds2Type },
    { rel: 'search', href: `${f.base}/opds/v2/search.json{?query,title,author}`, type: opds2Type, templated: true },
    { rel: rels.authDocument, href: `${f.base}/opds/auth.json`, type: authDocType },
    ...(['first', 'previous', 'next', 'last'] as const).flatMap((rel) =>
      f[rel] ? [{ rel, href: f[rel], type: opds2Type }] : [],
    ),
  ]
  return {
    metadata: {
      title: f.title,
      ...(f.itemsPerPage !== undefined ? { itemsPerPage: f.itemsPerPage } : {}),
      ...(f.currentPage !== undefined ? { currentPage: f.currentPage } : {}),
      ...(f.numberOfItems !== undefined ? { numberOfItems: f.numberOfItems } : {}),
    },
    links,
    ...(f.navigation ? { navigation: f.navigation } : {}),
    ...(f.publications ? { publications: f.publications.map((r) => publication(r, f.base)) } : {}),
    ...(f.groups?.length
      ? {
          groups: f.groups.map((g) => ({
            metadata: { title: g.title },
            links: [{ rel: 'self', href: g.href, type: opds2Type }],
            publications: g.publications.map((r) => publication(r, f.base)),
          })),
        }
      : {}),
  }
}
