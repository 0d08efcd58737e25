/**
 * @module search/embedded/pinyin-scan
 * Finds pinyin in titles and creators by scanning: every document's pinyin line, concatenated
 * a chunk of document numbers at a time, searched with the native `indexOf` and kept only
 * where the match starts a syllable. 100k titles and names are about 3 MB of letters: one scan
 * costs well under a millisecond, and there is no index to keep in step.
 */
import type { DocTable } from './docs.js'

const CHUNK = 2048

interface Chunk {
  text: string
  marks: string
  /** Where each document's line starts in `text`, ascending. */
  starts: number[]
  docnos: number[]
}

export interface PinyinHit {
  docno: number
  mark: number
  /** The match starts a title's or a name's pinyin. */
  atStart: boolean
  /** The share of that title's or name's pinyin the match covers (0..1]. */
  coverage: number
}

export class PinyinScan {
  #chunks: Array<Chunk | undefined> = []

  constructor(private readonly docs: DocTable) {}

  /** A row was added or changed: its chunk is rebuilt at the next scan. */
  touch(docno: number): void {
    this.#chunks[Math.floor(docno / CHUNK)] = undefined
  }

  reset(): void {
    this.#chunks = []
  }

  #chunk(i: number): Chunk {
    let c = this.#chunks[i]
    if (c) return c
    const texts: string[] = []
    const marks: string[] = []
    const starts: number[] = []
    const docnos: number[] = []
    let at = 0
    const end = Math.min(this.docs.rows.length, (i + 1) * CHUNK)
    for (let d = i * CHUNK; d < end; d++) {
      const row = this.docs.rows[d]
      if (!row || !row.pinyin) continue
      starts.push(at)
      docnos.push(d)
      texts.push('\u0001', row.pinyin)
      marks.push('0', row.pinyinMarks)
      at += 1 + row.pinyin.length
    }
    c = { text: texts.join(''), marks: marks.join(''), starts, docnos }
    this.#chunks[i] = c
    return c
  }

  /** Builds every chunk now (after a load or a merge) rather than on the first query. */
  warm(): void {
    const chunks = Math.ceil(this.docs.rows.length / CHUNK)
    for (let i = 0; i < chunks; i++) this.#chunk(i)
  }

  /** Every (document, best mark) where `part` starts a syllable or an initials run. */
  scan(part: string, onHit: (hit: PinyinHit) => void): void {
    const chunks = Math.ceil(this.docs.rows.length / CHUNK)
    for (let i = 0; i < chunks; i++) {
      const c = this.#chunk(i)
      let pos = c.text.indexOf(part)
      while (pos >= 0) {
        const mark = c.marks.charCodeAt(pos) - 48
        if (mark > 0) {
          let lo = 0
          let hi = c.starts.length - 1
          while (lo < hi) {
            const mid = (lo + hi + 1) >>> 1
            if (c.starts[mid]! <= pos) lo = mid
            else hi = mid - 1
          }
          const docno = c.docnos[lo]!
          if (this.docs.rows[docno]) {
            const start = c.text.lastIndexOf('|', pos) + 1
            let end = pos + part.length
            while (end < c.text.length && c.text[end] !== '|' && c.text[end] !== '\u0001') end++
            onHit({ docno, mark, atStart: start === pos, coverage: part.length / (end - start) })
          }
        }
        pos = c.text.indexOf(part, pos + 1)
      }
    }
  }
}
