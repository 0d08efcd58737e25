/**
 * @module resources/dcmi
 * Dublin Core `type` values as this node's resource types: the DCMI Type Vocabulary terms
 * (`Text`, `Sound`, `MovingImage`, `StillImage`, `Image`, `Collection`), their URIs, the
 * node's own type names (another Shulin node writes one beside the DCMI term), and the free
 * text catalogues commonly put there, in English and Chinese. One table for OAI-PMH harvesting
 * and for `shulin import`, so a record reads the same whichever way it comes in.
 */
import type { ResourceType } from './schemas.js'

const terms: Record<string, ResourceType> = {
  // DCMI Type Vocabulary
  text: 'book',
  sound: 'audiobook',
  movingimage: 'video',
  stillimage: 'image-set',
  image: 'image-set',
  // An aggregation: the node's aggregate of issues is the journal (a course needs course fields).
  collection: 'journal',
  // Free text seen in repositories and catalogues
  book: 'book',
  books: 'book',
  monograph: 'book',
  ebook: 'book',
  thesis: 'book',
  dissertation: 'book',
  图书: 'book',
  书: 'book',
  专著: 'book',
  电子书: 'book',
  学位论文: 'book',
  文本: 'book',
  article: 'article',
  journalarticle: 'article',
  conferencepaper: 'article',
  paper: 'article',
  文章: 'article',
  论文: 'article',
  期刊论文: 'article',
  会议论文: 'article',
  journal: 'journal',
  periodical: 'journal',
  serial: 'journal',
  期刊: 'journal',
  连续出版物: 'journal',
  journalissue: 'journal-issue',
  issue: 'journal-issue',
  期刊各期: 'journal-issue',
  audio: 'audiobook',
  audiobook: 'audiobook',
  soundrecording: 'audiobook',
  音频: 'audiobook',
  有声书: 'audiobook',
  video: 'video',
  film: 'video',
  视频: 'video',
  影像: 'video',
  imageset: 'image-set',
  photograph: 'image-set',
  picture: 'image-set',
  图片: 'image-set',
  图集: 'image-set',
  图像: 'image-set',
  lecture: 'lecture',
  course: 'course',
}

/** Case, spaces, hyphens and the DCMI namespace do not matter: `Moving Image`, `dcmitype:MovingImage`, `info:eu-repo/semantics/article`. */
function key(value: string): string {
  const last = value.trim().split(/[/:#]/).pop() ?? ''
  return last.toLowerCase().replace(/[\s_-]+/g, '')
}

/**
 * The node's type for a Dublin Core type value, or undefined for one it does not know.
 * @example resourceTypeFromDc('Text') // 'book'
 * @example resourceTypeFromDc('http://purl.org/dc/dcmitype/MovingImage') // 'video'
 */
export function resourceTypeFromDc(value: string): ResourceType | undefined {
  const k = key(value)
  return Object.hasOwn(terms, k) ? terms[k] : undefined
}
