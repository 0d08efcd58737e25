/**
 * @module search/embedded/engine
 * The default search engine: in process, no server to run. Records are folded once when they
 * arrive and their grams join an in-memory delta then, and a merge now and then rebuilds the
 * compact base segment and writes the index file, so that a restart reads the file instead of
 * re-indexing. Between merges the index is rebuilt from the record store's change log (the
 * service replays changes after the cursor the file covers).
 *
 * A search does no index work of its own: it only reads. Folding, gramming and merging (seconds
 * for 100k records) happen in the changes' own calls, one at a time, in {@link Slices} of a few
 * milliseconds between which the event loop serves searches and everything else; a search in
 * the middle of a merge reads the index as it was before it.
 */
import { mkdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { EngineResult, EngineStats, SearchDocument, SearchEngine, SearchQuery, Suggestion } from '../engine.js'
import { fold } from '../text/fold.js'
import { loadPinyin, mayBePinyin } from '../text/pinyin.js'
import { DocTable, PY_CREATOR, PY_CREATOR_INITIAL, type StoredDoc } from './docs.js'
import { queryGrams } from './grams.js'
import { PinyinScan } from './pinyin-scan.js'
import { intersect, Postings } from './postings.js'
import { WorkBudget } from './budget.js'
import { Turns } from './turns.js'
import { Slices } from './slices.js'
import { readImage, writeImage } from './persist.js'
import { runQuery, type IndexState } from './query.js'

export interface EmbeddedOptions {
  /** Folder for the index file; in memory only when undefined. */
  dir: string | undefined
  /** Rows waiting to be indexed beyond which a merge is cheaper than growing the delta. */
  mergeAbove?: number
}

const FILE = 'index.v1.bin'
/** Work units a suggestion candidate costs (a title and its names searched, an offer made). */
const suggestUnits = 4
const latinWords = (texts: string[]) =>
  texts
    .flatMap((t) => t.split(/[^\p{L}\p{N}]+/u))
    .map(fold)
    .filter((w) => /^[a-z]{4,24}$/.test(w))

export class EmbeddedEngine implements SearchEngine {
  readonly name = 'embedded' as const
  #docs = new DocTable()
  #postings = new Postings()
  #pinyin = new PinyinScan(this.#docs)
  #vocabulary = new Set<string>()
  /** Rows below this number are in the postings (base or delta). */
  #indexed = 0
  /** Rows covered by the base segment (the rest of the indexed ones are in the delta). */
  #baseRows = 0
  /** Something changed since the file was written. */
  #dirty = false
  #diskBytes: number | undefined
  readonly #mergeAbove: number
  /** Searches and suggestions run one at a time, one per turn of the event loop. */
  readonly #turns = new Turns()
  /** Changes (open, upsert, remove, clear, checkpoint) run one after another: a sliced merge is never changed under it. */
  #changes: Promise<unknown> = Promise.resolve()
  /** Merges done (what tests read). */
  merges = 0

  constructor(private readonly opts: EmbeddedOptions) {
    this.#mergeAbove = opts.mergeAbove ?? 5000
  }

  get #file(): string | undefined {
    return this.opts.dir ? join(this.opts.dir, FILE) : undefined
  }

  #change<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#changes.then(fn)
    this.#changes = run.catch(() => {})
    return run
  }

  open(): Promise<{ cursor: string | undefined }> {
    return this.#change(() => this.#open())
  }

  async #open(): Promise<{ cursor: string | undefined }> {
    if (!this.#file) return { cursor: undefined }
    await mkdir(this.opts.dir!, { recursive: true })
    const image = await readImage(this.#file)
    if (!image) return { cursor: undefined }
    const docs = DocTable.from(image.values, image.rows)
    this.#reset(docs)
    this.#postings.base = image.segment
    this.#indexed = this.#baseRows = docs.rows.length
    this.#vocabulary = new Set(image.vocabulary)
    await this.#pinyin.build(new Slices())
    this.#diskBytes = (await stat(this.#file)).size
    return { cursor: image.cursor }
  }

  #reset(docs: DocTable): void {
    this.#docs = docs
    this.#postings = new Postings()
    this.#pinyin = new PinyinScan(docs)
    this.#indexed = this.#baseRows = 0
  }

  get #state(): IndexState {
    return { docs: this.#docs, postings: this.#postings, pinyin: this.#pinyin, vocabulary: this.#vocabulary }
  }

  upsert(docs: SearchDocument[]): Promise<void> {
    return this.#change(async () => {
      if (!docs.length) return
      await loadPinyin()
      const slices = new Slices()
      for (const doc of docs) {
        if (slices.due()) await slices.pause()
        // Appended and indexed in one step: a search between slices never sees a replaced
        // record's old row dead and its new one not yet in the postings.
        this.#docs.append(this.#docs.toRow(doc))
        this.#indexRows()
        for (const w of latinWords([doc.title, ...doc.creators, ...doc.subjects])) this.#vocabulary.add(w)
      }
      this.#dirty = true
      await this.#catchUp(slices)
    })
  }

  remove(ids: string[]): Promise<void> {
    return this.#change(async () => {
      for (const id of ids) if (this.#docs.kill(id)) this.#dirty = true
      await this.#catchUp(new Slices())
    })
  }

  async revisionOf(id: string): Promise<number | undefined> {
    const docno = this.#docs.byId.get(id)
    return docno === undefined ? undefined : this.#docs.rows[docno]!.revision
  }

  /**
   * Brings the postings up to the rows (in a change's call, never a search's): into the delta,
   * or by a merge when that is cheaper.
   */
  async #catchUp(slices: Slices, forceMerge = false): Promise<void> {
    const pending = this.#docs.rows.length - this.#indexed
    const deltaRows = this.#indexed - this.#baseRows
    // The delta may grow to the base's size: during a bulk import each merge is then at least
    // twice the last, so all of them together cost about two of the final one.
    const big = Math.max(this.#mergeAbove, this.#baseRows)
    if (forceMerge || pending + deltaRows > big || this.#docs.dead > big) {
      await this.#merge(slices)
      return
    }
    this.#indexRows()
  }

  /** Adds the rows not yet indexed to the delta (upsert indexes each as it appends it: at most a few here). */
  #indexRows(): void {
    for (let d = this.#indexed; d < this.#docs.rows.length; d++) {
      const row = this.#docs.rows[d]
      if (row) this.#postings.add(d, DocTable.gramText(row))
    }
    this.#indexed = this.#docs.rows.length
  }

  /**
   * Renumbers the live rows and rebuilds the base segment over them, in slices: the new table,
   * postings and pinyin places are built aside while searches read the old ones, then swapped in.
   */
  async #merge(slices: Slices): Promise<void> {
    const docs = await DocTable.copy(this.#docs.valueLists(), this.#docs.rows, slices)
    const base = await Postings.build(
      docs.rows.length,
      (d) => DocTable.gramText(docs.rows[d]!),
      slices,
      this.#postings.base.keys.length + this.#postings.delta.size,
    )
    const pinyin = new PinyinScan(docs)
    await pinyin.build(slices)
    this.#docs = docs
    this.#postings = new Postings()
    this.#postings.base = base
    this.#pinyin = pinyin
    this.#indexed = this.#baseRows = docs.rows.length
    this.merges++
  }

  /** `budget`: the work this query may do (tests pass one to read what was spent). */
  async search(query: SearchQuery, budget: WorkBudget = new WorkBudget()): Promise<EngineResult> {
    return this.#turns.run(() => runQuery(this.#state, query, budget))
  }

  async suggest(prefix: string, limit: number, budget: WorkBudget = new WorkBudget()): Promise<Suggestion[]> {
    return this.#turns.run(() => this.#suggest(prefix, limit, budget))
  }

  #suggest(prefix: string, limit: number, budget: WorkBudget): Suggestion[] {
    const p = fold(prefix).slice(0, 64)
    if (!p) return []
    const found = new Map<string, { s: Suggestion; score: number }>()
    const offer = (row: StoredDoc, s: Suggestion, score: number) => {
      const key = `${s.field}:${s.text}`
      const prev = found.get(key)
      const ranked = score + Math.min(row.popularity, 1000) / 10_000
      if (!prev || prev.score < ranked) found.set(key, { s, score: ranked })
    }
    const lists = queryGrams(p).map((k) => this.#postings.list(k))
    if (!lists.some((l) => l.length === 0)) {
      for (const docno of intersect(lists)) {
        // A broad prefix (`人`, 40k records) offers the first ones it can afford.
        if (!budget.spend(suggestUnits)) break
        const row = this.#docs.rows[docno]
        if (!row || this.#docs.statuses.values[row.status] !== 'published') continue
        const t = row.title.indexOf(p)
        if (t >= 0) offer(row, { text: row.titleText, field: 'title', id: row.id }, t === 0 ? 3 : 1)
        row.creators.split('\u0000').forEach((c, i) => {
          const at = c.indexOf(p)
          if (at >= 0 && row.creatorNames[i])
            offer(row, { text: row.creatorNames[i]!, field: 'creator', id: row.id }, at === 0 ? 2.5 : 0.5)
        })
      }
    }
    if (mayBePinyin(p)) {
      this.#pinyin.scan(p, ({ docno, mark, atStart }) => {
        if (!budget.spend(suggestUnits)) return false
        const row = this.#docs.rows[docno]!
        if (!atStart || this.#docs.statuses.values[row.status] !== 'published') return true
        if (mark === PY_CREATOR || mark === PY_CREATOR_INITIAL) {
          // Which creator: the one whose pinyin starts with the query.
          const name = row.creatorNames.find((n) => n) ?? ''
          if (name) offer(row, { text: name, field: 'creator', id: row.id }, 1.8)
        } else offer(row, { text: row.titleText, field: 'title', id: row.id }, 2)
        return true
      })
    }
    return [...found.values()]
      .sort((a, b) => b.score - a.score || a.s.text.length - b.s.text.length)
      .slice(0, limit)
      .map((f) => f.s)
  }

  clear(): Promise<void> {
    return this.#change(async () => {
      this.#reset(new DocTable())
      this.#vocabulary = new Set()
      this.#dirty = true
    })
  }

  checkpoint(cursor: string | undefined): Promise<void> {
    return this.#change(() => this.#checkpoint(cursor))
  }

  async #checkpoint(cursor: string | undefined): Promise<void> {
    const needsMerge = this.#docs.rows.length !== this.#baseRows || this.#docs.dead > 0
    const slices = new Slices()
    if (needsMerge) await this.#catchUp(slices, true)
    if (!this.#file || (!this.#dirty && !needsMerge)) return
    const d = this.#docs
    this.#diskBytes = await writeImage(
      this.#file,
      {
        cursor,
        rows: d.rows as StoredDoc[],
        values: d.valueLists(),
        vocabulary: [...this.#vocabulary],
        segment: this.#postings.base,
      },
      slices,
    )
    this.#dirty = false
  }

  async stats(): Promise<EngineStats> {
    return {
      engine: 'embedded',
      documents: this.#docs.live,
      ...(this.#diskBytes !== undefined ? { diskBytes: this.#diskBytes } : {}),
    }
  }

  async close(): Promise<void> {}
}
