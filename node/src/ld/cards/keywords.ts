/**
 * @module ld/cards/keywords
 * The keywords of a lecture's subtitles, without any outside service: the catalogue's own known
 * names (persons, subjects) found in the text, works named in 《书名号》 whose titles the
 * catalogue holds, and the character bigrams said most often (terms). Text is folded as search
 * folds it (Traditional → Simplified, punctuation dropped) phrase by phrase, so 「李白」 in a
 * Simplified transcript finds 李白 catalogued in Traditional characters, and no name is found
 * across a sentence break.
 */
import { fold } from '../../search/text/fold.js'

/** The longest name looked for, in characters (longer catalogued names are not matched in speech). */
export const maxNameLength = 12
/** A bigram said fewer times than this is not a keyword. */
const minTermCount = 3
/** Bigrams kept as terms. */
const maxTerms = 8

/**
 * Characters that make a bigram a function word rather than a topic (的, 了, 是, 我们, 这个…).
 * Our own short list of Chinese function characters (a bigram holding one is not a topic).
 */
const stopChars = new Set([
  ...'的了是我你他她它们这那个不也就都在有和与及或而但又还很太更最被把让给对从向到为以于之其所着过得地么吗呢吧啊哦嗯嘛呀哈些每各该此',
  ...'一二三四五六七八九十几多少上下来去说要会能可想看做自己如果因所然后时候样',
])

/** Function words that pass the character filter but are no topic. */
const stopBigrams = new Set([
  '今天',
  '大家',
  '一下',
  '知道',
  '非常',
  '已经',
  '没有',
  '出来',
  '起来',
  '那么',
  '这么',
  '什么',
  '怎么',
  '因为',
  '所以',
  '但是',
  '就是',
  '还是',
  '我们',
  '他们',
  '你们',
])

/** What the catalogue knows, folded: name → how it is catalogued, title → record ids. */
export interface KnownNames {
  /** Folded name → the persons' and subjects' names as catalogued. */
  names: ReadonlyMap<string, { kind: 'person' | 'subject'; name: string }>
  /** Folded title → ids of published records with that title. */
  titles: ReadonlyMap<string, readonly string[]>
}

export interface Keyword {
  text: string
  kind: 'person' | 'subject' | 'work' | 'term'
  count: number
  /** A work's records (kind `work`). */
  ids: readonly string[]
}

/** The text split at anything that is not a letter or digit, each phrase folded. */
function phrases(text: string): string[] {
  return text
    .split(/[^\p{L}\p{N}]+/u)
    .map(fold)
    .filter((p) => p.length >= 2)
}

const han = /^\p{Script=Han}{2}$/u
const titled = /《([^《》\n]{1,60})》/g

/**
 * Known names in a phrase, longest first (李白诗选 before 李白), counted into `names`; returns
 * which characters they cover, so no bigram is made of a name's characters or their edges.
 */
function findNames(chars: string[], known: KnownNames, names: Map<string, number>): boolean[] {
  const covered = new Array<boolean>(chars.length).fill(false)
  let i = 0
  while (i < chars.length) {
    let matched = 0
    for (let len = Math.min(maxNameLength, chars.length - i); len >= 2; len--) {
      const hit = known.names.get(chars.slice(i, i + len).join(''))
      if (hit) {
        const key = hit.name + '\u0000' + hit.kind
        names.set(key, (names.get(key) ?? 0) + 1)
        matched = len
        break
      }
    }
    if (!matched) i++
    else for (const end = i + matched; i < end; i++) covered[i] = true
  }
  return covered
}

/**
 * The keywords of a transcript, most said first within each kind: known names, then works,
 * then terms.
 * @example keywordsOf('李白的《静夜思》……', known) // [{ text: '李白', kind: 'person', count: 1, ids: [] }, …]
 */
export function keywordsOf(text: string, known: KnownNames): Keyword[] {
  const names = new Map<string, number>()
  const bigrams = new Map<string, number>()
  // Titles in 《》 are looked at for names but make no terms (静夜思 is a work, not 静夜 and 夜思).
  const parts = text.split(titled)
  for (const [n, part] of parts.entries()) {
    for (const p of phrases(part)) {
      const chars = [...p]
      const covered = findNames(chars, known, names)
      if (n % 2) continue
      for (let i = 0; i + 1 < chars.length; i++) {
        if (covered[i] || covered[i + 1]) continue
        const bg = chars[i]! + chars[i + 1]!
        if (han.test(bg) && !stopBigrams.has(bg) && !stopChars.has(chars[i]!) && !stopChars.has(chars[i + 1]!))
          bigrams.set(bg, (bigrams.get(bg) ?? 0) + 1)
      }
    }
  }
  const works = new Map<string, number>()
  for (const m of text.matchAll(titled)) {
    const title = fold(m[1]!)
    if (known.titles.has(title)) works.set(m[1]!.trim(), (works.get(m[1]!.trim()) ?? 0) + 1)
  }
  const byCount = <T extends { count: number; text: string }>(a: T, b: T) =>
    b.count - a.count || (a.text < b.text ? -1 : 1)
  const out: Keyword[] = [...names]
    .map(([key, count]) => {
      const [text, kind] = key.split('\u0000') as [string, 'person' | 'subject']
      return { text, kind, count, ids: [] }
    })
    .sort(byCount)
  out.push(
    ...[...works]
      .map(([text, count]) => ({ text, kind: 'work' as const, count, ids: known.titles.get(fold(text)) ?? [] }))
      .sort(byCount),
  )
  out.push(
    ...[...bigrams]
      .filter(([, n]) => n >= minTermCount)
      .map(([text, count]) => ({ text, kind: 'term' as const, count, ids: [] }))
      .sort(byCount)
      .slice(0, maxTerms),
  )
  return out
}
