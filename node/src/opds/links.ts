/**
 * @module opds/links
 * The URLs and media types both catalog versions share.
 */
import type { Resource } from '@shulin/protocol'

export const atomType = {
  navigation: 'application/atom+xml;profile=opds-catalog;kind=navigation',
  acquisition: 'application/atom+xml;profile=opds-catalog;kind=acquisition',
} as const
export const opds2Type = 'application/opds+json'
export const authDocType = 'application/opds-authentication+json'

export const rels = {
  openAccess: 'http://opds-spec.org/acquisition/open-access',
  acquisition: 'http://opds-spec.org/acquisition',
  image: 'http://opds-spec.org/image',
  thumbnail: 'http://opds-spec.org/image/thumbnail',
  authDocument: 'http://opds-spec.org/auth/document',
} as const

export interface RecordLinks {
  content?: { href: string; type: string; length: number; rel: string }
  cover?: { href: string; type: string }
  thumbnail?: { href: string; type: string }
  page: string
}

/** Open access for public records; the plain acquisition rel (the app signs in) otherwise. */
export function recordLinks(r: Resource, base: string): RecordLinks {
  const file = (role: string) => r.files.find((f) => f.role === role)
  const content = file('content')
  const cover = file('cover')
  const thumb = file('thumbnail')
  return {
    ...(content
      ? {
          content: {
            href: `${base}/api/resources/${r.id}/content`,
            type: content.mediaType,
            length: content.size,
            rel: r.access === 'public' ? rels.openAccess : rels.acquisition,
          },
        }
      : {}),
    ...(cover ? { cover: { href: `${base}/api/resources/${r.id}/files/cover`, type: cover.mediaType } } : {}),
    ...(thumb ? { thumbnail: { href: `${base}/api/resources/${r.id}/files/thumbnail`, type: thumb.mediaType } } : {}),
    page: `${base}/share/${r.id}`,
  }
}

export const typeTitles: Record<Resource['type'], string> = {
  book: '图书 Books',
  audiobook: '有声书 Audiobooks',
  journal: '期刊 Journals',
  'journal-issue': '期刊各期 Journal issues',
  article: '文章 Articles',
  'image-set': '图集 Image sets',
  video: '视频 Video',
  course: '公开课 Courses',
  lecture: '讲座 Lectures',
}
