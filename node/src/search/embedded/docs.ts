/**
 * @module search/embedded/docs
 * The embedded index's document table: one row per document number, in columns. Rows of
 * replaced or removed documents are marked dead and dropped at the next merge. Text columns
 * hold folded text (what is matched); facet columns hold small numbers into value lists.
 */
import type { SearchDocument } from '../engine.js'
import { fold } from '../text/fold.js'
import { pinyinOf, type PinyinForms } from '../text/pinyin.js'
import { FIELD_BREAK } from './grams.js'
import { DocColumns } from './columns.js'
import type { Slices } from './slices.js'

/** Longest description indexed (folded characters): a record is found by its opening text. */
export const maxDescription = 4000

/** Interns strings as small numbers (facet values). */
export class ValueList {
  readonly values: string[] = []
  readonly #ids = new Map<string, number>()
  constructor(values: string[] = []) {
    for (const v of values) this.id(v)
  }
  id(value: string): number {
    let id = this.#ids.get(value)
    if (id === undefined) {
      id = this.values.length
      this.values.push(value)
      this.#ids.set(value, id)
    }
    return id
  }
  find(value: string): number | undefined {
    return this.#ids.get(value)
  }
}

/** Pinyin of a document's title and creators, as one line the pinyin scan reads. */
export interface PinyinLine {
  /** Letters and separators. */
  text: string
  /** Per character: 0 not a match start, 1 title syllable, 2 title initial, 3 creator syllable, 4 creator initial. */
  marks: number[]
}

export const PY_TITLE = 1
export const PY_TITLE_INITIAL = 2
export const PY_CREATOR = 3
export const PY_CREATOR_INITIAL = 4

/**
 * Appends one title's or name's pinyin to a line being built in parts. Joined once at the end:
 * a line grown by `+=` a character at a time is a rope of small pieces (V8 keeps a concatenated
 * string as a tree until something flattens it), ~1 KB a record more than the flat line — half
 * the document table's memory for records indexed since the last merge (`npm run bench:union`).
 */
function appendPinyin(
  parts: string[],
  marks: number[],
  forms: PinyinForms | undefined,
  full: number,
  initial: number,
): void {
  if (!forms) return
  const starts = new Set(forms.starts)
  parts.push('|')
  marks.push(0)
  for (let i = 0; i < forms.full.length; i++) {
    parts.push(forms.full[i]!)
    marks.push(starts.has(i) ? full : 0)
  }
  parts.push('|')
  marks.push(0)
  for (const c of forms.initials) {
    parts.push(c)
    marks.push(initial)
  }
}

export function pinyinLine(title: string, creators: string[]): PinyinLine {
  const parts: string[] = []
  const marks: number[] = []
  appendPinyin(parts, marks, pinyinOf(title), PY_TITLE, PY_TITLE_INITIAL)
  for (const c of creators) appendPinyin(parts, marks, pinyinOf(c, { name: true }), PY_CREATOR, PY_CREATOR_INITIAL)
  return { text: parts.join(''), marks }
}

/** A document as the table stores it (also the persisted form). */
export interface StoredDoc {
  id: string
  revision: number
  title: string
  /** Folded, joined by FIELD_BREAK. */
  creators: string
  subjects: string
  description: string
  other: string
  /** A lecture's transcript, folded ('' for other records). */
  transcript: string
  pinyin: string
  /** Marks of `pinyin`, one digit a character. */
  pinyinMarks: string
  /** Original creator names (suggestions). */
  creatorNames: string[]
  /** Original title (suggestions, title sort). */
  titleText: string
  type: number
  language: number
  access: number
  status: number
  source: number
  subjectIds: number[]
  year: number
  published: number
  popularity: number
}

/** The facet value lists a table keeps (persisted with it, ids unchanged across merges). */
export const valueListNames = ['types', 'languages', 'access', 'statuses', 'sources', 'subjects'] as const
export type ValueLists = Record<(typeof valueListNames)[number], string[]>

export class DocTable {
  rows: Array<StoredDoc | undefined> = []
  readonly byId = new Map<string, number>()
  readonly types = new ValueList()
  readonly languages = new ValueList()
  readonly access = new ValueList()
  readonly statuses = new ValueList()
  readonly sources = new ValueList()
  readonly subjects = new ValueList()
  /** Each row's numbers, in columns (what a query reads for every match). */
  readonly cols = new DocColumns()
  dead = 0

  /** A table with these value lists (ids kept) and the present rows, renumbered from 0. */
  static from(values: ValueLists, rows: Iterable<StoredDoc | undefined>): DocTable {
    const docs = new DocTable()
    for (const k of valueListNames) for (const v of values[k]) docs[k].id(v)
    for (const row of rows) if (row) docs.append(row)
    return docs
  }

  /** {@link DocTable.from}, pausing when `slices` says so (a merge renumbers 100k rows). */
  static async copy(values: ValueLists, rows: ReadonlyArray<StoredDoc | undefined>, slices: Slices): Promise<DocTable> {
    const docs = new DocTable()
    for (const k of valueListNames) for (const v of values[k]) docs[k].id(v)
    for (let i = 0; i < rows.length; i++) {
      if ((i & 255) === 0 && slices.due()) await slices.pause()
      const row = rows[i]
      if (row) docs.append(row)
    }
    return docs
  }

  valueLists(): ValueLists {
    return Object.fromEntries(valueListNames.map((k) => [k, this[k].values])) as ValueLists
  }

  get live(): number {
    return this.byId.size
  }

  /** Folds a document into a row (the costly part: folding and pinyin). */
  toRow(doc: SearchDocument): StoredDoc {
    const join = (xs: string[]) => xs.map(fold).filter(Boolean).join(FIELD_BREAK)
    const title = fold(doc.title)
    const py = pinyinLine(title, doc.creators.map(fold))
    return {
      id: doc.id,
      revision: doc.revision,
      title,
      creators: join(doc.creators),
      subjects: join(doc.subjects),
      description: [...fold(doc.description.slice(0, maxDescription * 3))].slice(0, maxDescription).join(''),
      other: join(doc.other),
      transcript: doc.transcript ? fold(doc.transcript) : '',
      pinyin: py.text,
      pinyinMarks: py.marks.join(''),
      creatorNames: doc.creators,
      titleText: doc.title,
      type: this.types.id(doc.type),
      language: this.languages.id(doc.language),
      access: this.access.id(doc.access),
      status: this.statuses.id(doc.status),
      source: this.sources.id(doc.source),
      subjectIds: [...new Set(doc.subjects.map((s) => this.subjects.id(s)))],
      year: doc.year ?? 0,
      published: doc.published,
      popularity: doc.popularity,
    }
  }

  /** Appends a row; the previous row of the same id, if any, is marked dead. Returns its number. */
  append(row: StoredDoc): number {
    this.kill(row.id)
    const docno = this.rows.length
    this.rows.push(row)
    this.cols.set(docno, row)
    this.byId.set(row.id, docno)
    return docno
  }

  kill(id: string): boolean {
    const old = this.byId.get(id)
    if (old === undefined) return false
    this.rows[old] = undefined
    this.byId.delete(id)
    this.dead++
    return true
  }

  /** The text the gram index reads for a row. */
  static gramText(row: StoredDoc): string {
    const text = DocTable.describedText(row)
    return row.transcript ? text + FIELD_BREAK + row.transcript : text
  }

  /** The text without the transcript: what scattered matching reads (it is for titles and names typed as one string). */
  static describedText(row: StoredDoc): string {
    return [row.title, row.creators, row.subjects, row.description, row.other].join(FIELD_BREAK)
  }
}
