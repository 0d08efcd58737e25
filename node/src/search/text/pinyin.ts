/**
 * @module search/text/pinyin
 * Toneless pinyin of titles and names, so that `jingyesi` and `jys` find 静夜思. From
 * `pinyin-pro`, which reads polyphonic characters in context (长恨歌 → chang hen ge) and
 * surnames by their surname reading (单雄信 → shan xiong xin).
 */
import type { pinyin as PinyinFn } from 'pinyin-pro'

// pinyin-pro holds its dictionary in memory (~17 MB): it loads with the first record indexed.
let pinyin: typeof PinyinFn | undefined

/** Loads the pinyin dictionary; call (and await) before {@link pinyinOf}. */
export async function loadPinyin(): Promise<void> {
  pinyin ??= (await import('pinyin-pro')).pinyin
}

export interface PinyinForms {
  /** Syllables run together: `jingyesi`. */
  full: string
  /** Where each syllable starts in `full`. */
  starts: number[]
  /** First letters: `jys`. */
  initials: string
}

const han = /\p{Script=Han}/u

/** Pinyin of a (folded) text, or undefined when it has no Chinese characters. */
export function pinyinOf(text: string, opts: { name?: boolean } = {}): PinyinForms | undefined {
  if (!han.test(text)) return undefined
  if (!pinyin) throw new Error('pinyinOf before loadPinyin()')
  const syllables = pinyin(text, {
    toneType: 'none',
    type: 'array',
    nonZh: 'removed',
    v: true,
    ...(opts.name ? { surname: 'head' as const } : {}),
  })
  let full = ''
  let initials = ''
  const starts: number[] = []
  for (const s of syllables) {
    const clean = s.toLowerCase().replace(/[^a-z]/g, '')
    if (!clean) continue
    starts.push(full.length)
    full += clean
    initials += clean[0]
  }
  return full ? { full, starts, initials } : undefined
}

/** Whether a query part could be pinyin (letters only, at least two). */
export const mayBePinyin = (part: string): boolean => /^[a-z]{2,}$/.test(part)
