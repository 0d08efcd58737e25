/**
 * @module resources/files/media-types
 * Which files fit which records, and what a file really is (sniffed from its bytes with
 * `file-type`, not taken from its name or the uploader's word).
 */
import type { ResourceType } from '@shulin/protocol'

/** `page-image`: one more image of an image set (图集), appended in upload order. */
export type FileRoleName = 'content' | 'cover' | 'page-image'

const aliases: Record<string, string> = {
  'audio/mp3': 'audio/mpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/x-aac': 'audio/aac',
  'image/jpg': 'image/jpeg',
}
const images = ['image/jpeg', 'image/png', 'image/webp']
const documents = ['application/epub+zip', 'application/pdf']

/** What each kind of record (and a cover) may hold. */
export const acceptedTypes: Record<ResourceType | 'cover', readonly string[]> = {
  book: documents,
  'journal-issue': documents,
  article: documents,
  journal: [],
  audiobook: ['audio/mpeg', 'audio/mp4', 'audio/aac'],
  video: ['video/mp4'],
  'image-set': images,
  // A course holds no file of its own but its cover; a lecture's files come through the courses module.
  course: [],
  lecture: [],
  cover: images,
}

/** `audio/x-m4a; charset=…` → `audio/mp4`. */
export function normalizeMediaType(type: string): string {
  const base = type.split(';')[0]!.trim().toLowerCase()
  return aliases[base] ?? base
}

/** MP4 audio and MP4 video are one container: the brand in `ftyp` says little about content. */
const sameContainer = (a: string, b: string) =>
  a === b || (['audio/mp4', 'video/mp4'].includes(a) && ['audio/mp4', 'video/mp4'].includes(b))

/**
 * The media type the file's bytes show, when it agrees with the claim and fits the record.
 * @returns the accepted type, or a reason to refuse.
 */
export async function checkFileType(
  path: string,
  claimed: string,
  fits: readonly string[],
): Promise<{ type: string } | { refused: string }> {
  // Loaded on first upload: a node that only serves readers never pays for it.
  const { fileTypeFromFile } = await import('file-type')
  const sniffed = await fileTypeFromFile(path)
  const claim = normalizeMediaType(claimed)
  if (!sniffed) return { refused: `the content is not a recognised file type (claimed ${claim})` }
  const actual = normalizeMediaType(sniffed.mime)
  if (!sameContainer(actual, claim)) return { refused: `the content is ${actual}, not ${claim}` }
  if (!fits.some((t) => sameContainer(t, claim)))
    return { refused: `${claim} does not fit here (accepted: ${fits.join(', ') || 'no files'})` }
  return { type: claim === 'audio/mp4' || claim === 'video/mp4' ? claim : actual }
}
