/** Display names of enumerated values, in the reader's language. */
import { locale, t, type MessageKey } from './i18n/index.js'

const types: Record<string, MessageKey> = {
  book: 'typeBook',
  audiobook: 'typeAudiobook',
  journal: 'typeJournal',
  'journal-issue': 'typeJournalIssue',
  article: 'typeArticle',
  'image-set': 'typeImageSet',
  video: 'typeVideo',
  course: 'typeCourse',
  lecture: 'typeLecture',
}
export const typeLabel = (type: string): string => (types[type] ? t(types[type]) : type)

const languageNames = new Map<string, Intl.DisplayNames>()

/**
 * A language code as the reader's language names it ("zh" → 中文 / Chinese), by the browser's
 * own tables (Intl.DisplayNames); a code it cannot read is shown as it is.
 */
export function languageLabel(code: string): string {
  const l = locale()
  let names = languageNames.get(l)
  if (!names) languageNames.set(l, (names = new Intl.DisplayNames([l], { type: 'language', fallback: 'code' })))
  try {
    return names.of(code) ?? code
  } catch {
    return code // not a well-formed language tag (a catalogue's free text)
  }
}

/** A decade facet ("1990") as the reader's language says it: 1990 年代, 1990s. */
export const decadeLabel = (decade: string): string => (/^\d{3,4}$/.test(decade) ? t('decade', { decade }) : decade)
