/**
 * @module embed/shared
 * What the embeds share: the node they talk to (the `node` attribute, else the origin this
 * script was loaded from), a client per node, their few words in Chinese and English (the
 * `lang` attribute, else the page's language), and filling a `<shulin-player>` from a lecture.
 */
import { ShulinClient, type LectureView } from '@shulin/client'
import type { ShulinPlayer } from '../components/course-player.js'

/** The node this script came from: the embeds' node unless an element names another. */
export const scriptNode = new URL(import.meta.url).origin

const clients = new Map<string, ShulinClient>()
export function clientFor(node: string | null | undefined): ShulinClient {
  const key = node || scriptNode
  let c = clients.get(key)
  if (!c) clients.set(key, (c = new ShulinClient({ node: key })))
  return c
}

const words = {
  zh: {
    loading: '正在载入…',
    failed: '载入失败',
    retry: '重试',
    lectures: '讲',
    processing: '正在转码，稍后可播放',
    failedLecture: '这一讲暂时无法播放',
    search: '检索公开课',
    searchButton: '检索',
    noHits: '没有找到',
    at: '在 {time} 讲到',
    course: '课程',
    lecture: '讲座',
    courses: '公开课',
    openOnNode: '在图书馆网站打开',
  },
  en: {
    loading: 'Loading…',
    failed: 'Could not load',
    retry: 'Retry',
    lectures: 'lectures',
    processing: 'Being transcoded; it can be played soon',
    failedLecture: 'This lecture cannot be played for now',
    search: 'Search the courses',
    searchButton: 'Search',
    noHits: 'Nothing found',
    at: 'said at {time}',
    course: 'Course',
    lecture: 'Lecture',
    courses: 'Open courses',
    openOnNode: 'Open on the library’s site',
  },
}
export type EmbedWord = keyof (typeof words)['zh']

/** The element's words: `lang` attribute, else the page's language; English for `en…`, else Chinese. */
export function wordsFor(el: Element): (key: EmbedWord, vars?: Record<string, string>) => string {
  const lang = el.getAttribute('lang') || el.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang
  const table = /^en/i.test(lang ?? '') ? words.en : words.zh
  return (key, vars = {}) => table[key].replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '')
}

/** Gives a `<shulin-player>` a lecture's streams, subtitles, chapters, transcript and watched-time address. */
export function fillPlayer(player: ShulinPlayer, lecture: LectureView, client: ShulinClient): void {
  player.heading = lecture.title
  player.src = lecture.hls ?? ''
  player.original = lecture.original ?? ''
  player.poster = lecture.poster ?? ''
  player.subtitles = lecture.subtitles
  player.chapters = lecture.chapters
  player.transcriptUrl = lecture.subtitles.length
    ? `${client.node}/api/lectures/${encodeURIComponent(lecture.id)}/transcript`
    : ''
  player.watchedUrl = client.watchedUrl(lecture.id)
}
