/**
 * @module i18n/recommend
 * The recommendation sections' words, Chinese first (the reasons come from the node, already in
 * the reader's language).
 */
import { locale } from './index.js'

const zh = {
  forYou: '猜你喜欢',
  alsoRead: '读过这本的人也读了',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  forYou: 'You may like',
  alsoRead: 'Readers of this also read',
}

export function rt(key: Key): string {
  return (locale() === 'en' ? en : zh)[key]
}
