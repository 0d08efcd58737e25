/**
 * @module live/room/keywords
 * The keyword filter of the node's rooms: a staff-edited list (empty by default), matched
 * after NFKC and case folding, with spacing and invisible characters removed on both sides,
 * so full-width letters (ＢＡＤ), upper case and "b a d" do not slip past a listed "bad".
 */
import type { RoomStore } from './store.js'

/** Listed words at most, and characters a word. */
export const maxKeywords = 1000
export const maxKeywordChars = 50

// White space, and format characters (zero-width space and joiners, bidi marks): invisible, so
// they would hide a word from a plain substring match.
const invisibleRe = /[\p{White_Space}\p{Cf}]/gu

/** NFKC, then a full case fold (upper then lower turns ß into ss as folding does), no spacing. */
export const foldText = (s: string): string =>
  s.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC').replace(invisibleRe, '')

export class KeywordFilter {
  #folded: string[] | undefined

  constructor(private readonly store: RoomStore) {}

  async #words(): Promise<string[]> {
    this.#folded ??= (await this.store.keywords()).map(foldText).filter(Boolean)
    return this.#folded
  }

  async matches(text: string): Promise<boolean> {
    const words = await this.#words()
    if (!words.length) return false
    const folded = foldText(text)
    return words.some((w) => folded.includes(w))
  }

  list(): Promise<string[]> {
    return this.store.keywords()
  }

  /** Replaces the list (trimmed, duplicates and blanks dropped); returns what was kept. */
  async set(words: string[]): Promise<string[]> {
    const kept = [...new Set(words.map((w) => w.normalize('NFC').trim()).filter(Boolean))]
    await this.store.setKeywords(kept)
    this.#folded = kept.map(foldText).filter(Boolean)
    return kept
  }
}
