/**
 * @module search/embedded/columns
 * The numbers a query reads for every match — facet ids, year, publication time, popularity,
 * subjects — in typed arrays by document number. A broad query (`书`, or the empty query of the
 * catalogue page) filters, counts facets and ranks 100k matches: reading them from 100k row
 * objects scattered over the heap cost most of its time. Document numbers only grow, so a
 * row's numbers are written once, when it is appended.
 */
import type { StoredDoc } from './docs.js'

const grown = <T extends Uint32Array | Int32Array | Float64Array>(a: T, need: number): T => {
  if (need <= a.length) return a
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2))
  b.set(a)
  return b
}

export class DocColumns {
  type = new Uint32Array(1024)
  language = new Uint32Array(1024)
  access = new Uint32Array(1024)
  status = new Uint32Array(1024)
  source = new Uint32Array(1024)
  /** 0 = unknown. */
  year = new Int32Array(1024)
  published = new Float64Array(1024)
  popularity = new Float64Array(1024)
  /** Subject ids of document d: subjects[subjectStart[d] .. subjectStart[d + 1]). */
  subjectStart = new Uint32Array(1025)
  subjects = new Uint32Array(4096)

  /** Writes the numbers of `row`, appended as `docno` (one above the last written). */
  set(docno: number, row: StoredDoc): void {
    if (docno >= this.type.length) {
      const n = docno + 1
      this.type = grown(this.type, n)
      this.language = grown(this.language, n)
      this.access = grown(this.access, n)
      this.status = grown(this.status, n)
      this.source = grown(this.source, n)
      this.year = grown(this.year, n)
      this.published = grown(this.published, n)
      this.popularity = grown(this.popularity, n)
    }
    this.type[docno] = row.type
    this.language[docno] = row.language
    this.access[docno] = row.access
    this.status[docno] = row.status
    this.source[docno] = row.source
    this.year[docno] = row.year
    this.published[docno] = row.published
    this.popularity[docno] = row.popularity
    this.subjectStart = grown(this.subjectStart, docno + 2)
    const from = this.subjectStart[docno]!
    this.subjects = grown(this.subjects, from + row.subjectIds.length)
    this.subjects.set(row.subjectIds, from)
    this.subjectStart[docno + 1] = from + row.subjectIds.length
  }
}
