/**
 * @module ld/cards/catalogue
 * The catalogue as the knowledge cards read it: who and what each published record names
 * (creators and speakers, subjects, 中图法 class, title), and what each lecture's subtitles speak
 * of. Built in memory from the published records on first use and rebuilt after they change (as
 * recommend/content is): cards are read far more often than records are edited, and a map lookup
 * per card beats a scan over a 100k-poem catalogue.
 */
import { ldNameId, type Resource } from '@shulin/protocol'
import { fold } from '../../search/text/fold.js'
import { keywordsOf, maxNameLength, type Keyword, type KnownNames } from './keywords.js'

/**
 * Creator "names" that say nobody is known: they have a card (the linked data names them too),
 * but relate nothing to anything and are never looked for in speech.
 */
const unknownNames = new Set(['佚名', '不详', '未知', '无名氏', 'anonymous', 'unknown'])
export const isKnownPerson = (name: string): boolean => !unknownNames.has(name.toLowerCase())

/** The persons a record names: its creators, and a course's or lecture's speakers. */
export function personsOf(r: Resource): string[] {
  const names = [...r.metadata.creators, ...(r.course?.speakers ?? []), ...(r.lecture?.speakers ?? [])].map((p) =>
    ldNameId(typeof p === 'string' ? p : p.name),
  )
  return [...new Set(names)].filter(Boolean)
}

export const subjectsOf = (r: Resource): string[] => [...new Set(r.metadata.subjects.map(ldNameId))].filter(Boolean)

/** Adds `id` to the key's list, kept in id order (record ids are ULIDs: creation order). */
const push = (map: Map<string, string[]>, key: string, id: string) => {
  const list = map.get(key)
  if (!list) return void map.set(key, [id])
  if (!list.length || list[list.length - 1]! < id) return void list.push(id)
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (list[mid]! < id) lo = mid + 1
    else hi = mid
  }
  if (list[lo] !== id) list.splice(lo, 0, id)
}

const pull = (map: Map<string, string[]>, key: string, id: string) => {
  const list = map.get(key)
  const at = list?.indexOf(id) ?? -1
  if (at >= 0) list!.splice(at, 1)
  if (list && !list.length) map.delete(key)
}

export class CardCatalogue {
  /** Person name → records by them (creators, speakers), creation order. */
  readonly persons = new Map<string, string[]>()
  /** Subject → records about it. */
  readonly subjects = new Map<string, string[]>()
  /** 中图法 class number → records in exactly that class. */
  readonly classes = new Map<string, string[]>()
  readonly courses: string[] = []
  /** Course → its published lectures. */
  readonly courseLectures = new Map<string, string[]>()
  /** Course → the features of it and of its lectures' subtitles (see {@link featuresOf}). */
  readonly courseFeatures = new Map<string, Set<string>>()
  /** `person:李白` / `subject:唐诗` → lectures whose subtitles speak of it. */
  readonly mentions = new Map<string, string[]>()
  /** Lecture → the keywords of its subtitles. */
  readonly keywords = new Map<string, Keyword[]>()
  readonly known: KnownNames
  readonly #names = new Map<string, { kind: 'person' | 'subject'; name: string }>()
  readonly #titles = new Map<string, string[]>()

  private constructor() {
    this.known = { names: this.#names, titles: this.#titles }
  }

  /**
   * Reads every published record, then the subtitles of each public lecture (`transcript` gives
   * a lecture's subtitle text, '' when it has none here).
   */
  static async build(
    records: AsyncIterable<Resource>,
    transcript: (r: Resource) => Promise<string>,
  ): Promise<CardCatalogue> {
    const c = new CardCatalogue()
    const lectures: Resource[] = []
    for await (const r of records) {
      if (r.status !== 'published') continue
      c.#add(r)
      if (r.type === 'lecture') lectures.push(r)
    }
    for (const l of lectures) {
      // Only open subtitles feed the cards every reader sees: a lecture for signed-in readers
      // keeps what it says to them (its own cards are read when they may open it).
      if (l.access !== 'public') continue
      const kws = keywordsOf(await transcript(l), c.known)
      c.keywords.set(l.id, kws)
      for (const k of kws)
        if (k.kind === 'person' || k.kind === 'subject') push(c.mentions, `${k.kind}:${k.text}`, l.id)
    }
    for (const l of lectures) {
      const features = l.parentId ? c.courseFeatures.get(l.parentId) : undefined
      if (features) for (const f of c.featuresOf(l).keys()) features.add(f)
    }
    return c
  }

  /**
   * Follows one committed change of a work in place (a card shows a new poem at once, without
   * reading 100k records again). Returns false for a course or lecture, whose subtitles and
   * features are read whole: the caller builds the catalogue again.
   */
  apply(before: Resource | undefined, after: Resource | undefined): boolean {
    const touches = (r: Resource | undefined) => r && (r.type === 'course' || r.type === 'lecture')
    if (touches(before) || touches(after)) return false
    if (before?.status === 'published') this.#remove(before)
    if (after?.status === 'published') this.#add(after)
    return true
  }

  #remove(r: Resource): void {
    for (const p of personsOf(r)) pull(this.persons, p, r.id)
    for (const s of subjectsOf(r)) pull(this.subjects, s, r.id)
    if (r.metadata.clc) pull(this.classes, r.metadata.clc.toUpperCase(), r.id)
    pull(this.#titles, fold(r.metadata.title), r.id)
  }

  #add(r: Resource): void {
    for (const p of personsOf(r)) {
      push(this.persons, p, r.id)
      if (isKnownPerson(p)) this.#know(p, 'person')
    }
    for (const s of subjectsOf(r)) {
      push(this.subjects, s, r.id)
      this.#know(s, 'subject')
    }
    if (r.metadata.clc) push(this.classes, r.metadata.clc.toUpperCase(), r.id)
    if (r.type === 'course') {
      this.courses.push(r.id)
      this.courseFeatures.set(r.id, new Set(this.featuresOf(r).keys()))
    } else if (r.type === 'lecture' && r.parentId) push(this.courseLectures, r.parentId, r.id)
    else if (r.type !== 'lecture') {
      const title = fold(r.metadata.title)
      if (title.length >= 2) push(this.#titles, title, r.id)
    }
  }

  /** A name is found in speech by its folded form; a person wins over a subject of the same name. */
  #know(name: string, kind: 'person' | 'subject'): void {
    const key = fold(name)
    if ([...key].length < 2 || [...key].length > maxNameLength) return
    const had = this.#names.get(key)
    if (!had || (had.kind === 'subject' && kind === 'person')) this.#names.set(key, { kind, name })
  }

  /** Records in a class or any narrower one (I222 holds I222.742). */
  inClass(number: string): string[] {
    const prefix = number.toUpperCase()
    const out: string[] = []
    for (const [clc, ids] of this.classes) if (clc.startsWith(prefix)) out.push(...ids)
    return out
  }

  /**
   * What a record is compared by, weighted: `p:` persons (3), `s:` subjects (2), `k:` the first
   * four characters of its class (1: the neighbourhood, not the exact shelf), `t:` a work's
   * folded title (3), `r:` a record a lecture names as related (4); and, from the subtitles of a
   * lecture (or a course's lectures), the persons, subjects and works they speak of.
   */
  featuresOf(r: Resource): Map<string, number> {
    const f = new Map<string, number>()
    const atLeast = (key: string, w: number) => f.set(key, Math.max(f.get(key) ?? 0, w))
    for (const p of personsOf(r)) if (isKnownPerson(p)) f.set(`p:${p}`, 3)
    for (const s of subjectsOf(r)) f.set(`s:${s}`, 2)
    if (r.metadata.clc) f.set(`k:${r.metadata.clc.toUpperCase().slice(0, 4)}`, 1)
    if (r.type !== 'course' && r.type !== 'lecture') f.set(`t:${fold(r.metadata.title)}`, 3)
    const lectures = r.type === 'course' ? (this.courseLectures.get(r.id) ?? []) : r.type === 'lecture' ? [r.id] : []
    for (const l of lectures)
      for (const k of this.keywords.get(l) ?? []) {
        if (k.kind === 'person') atLeast(`p:${k.text}`, 2)
        else if (k.kind === 'subject') atLeast(`s:${k.text}`, 1)
        else if (k.kind === 'work') atLeast(`t:${fold(k.text)}`, 3)
      }
    for (const id of r.lecture?.related ?? []) f.set(`r:${id}`, 4)
    return f
  }

  /** Records with this exact (folded) title. */
  titled(title: string): readonly string[] {
    return this.#titles.get(fold(title)) ?? []
  }
}
