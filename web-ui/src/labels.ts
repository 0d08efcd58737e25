/** Display names of enumerated values, in the reader's language. */
import { t, type MessageKey } from './i18n/index.js'

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
