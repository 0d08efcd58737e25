/**
 * @module ld/cards/service
 * Knowledge cards (知识卡片) over the catalogue: a card for a person, subject, class or place;
 * the cards a lecture's subtitles call up; the related works and courses of any record. All of
 * it from the node's own published records and subtitle files (see ld/cards/catalogue).
 *
 * What is a place is the linked data's to say (one source of truth, so `/ld/place/X` and the
 * place card answer alike): the records carry no place field, so a place is what
 * ld/triples.ts's `namedInActivity` names — an activity's location. Its card lists the records
 * that carry its name as a subject (a geographic heading such as 杭州), and may list none.
 */
import {
  ldNameId,
  ldPath,
  type CardKind,
  type CardLink,
  type CardRecord,
  type KnowledgeCard,
  type LectureCards,
  type RelatedRecords,
  type Resource,
} from '@shulin/protocol'
import type { Logger } from '../../logger.js'
import type { ResourceRecords } from '../../resources/store.js'
import { fold } from '../../search/text/fold.js'
import { CardCatalogue, isKnownPerson, personsOf, subjectsOf } from './catalogue.js'
import { keywordsOf } from './keywords.js'

/** Records read to count a card's related persons and timeline (the rest are counted only). */
const maxRead = 2_000
/** Works, courses and lectures listed on a card. */
const listed = 50
const relatedShown = 12
const timelineShown = 50
/** Cards on a lecture, and records under each keyword. */
const lectureCards = 6
const keywordRecords = 5
/** Related works and courses on a record's page; ids read per shared feature when ranking. */
const relatedLimit = 8
const perFeature = 200
/**
 * Cards kept until the next change: a card of 李白 reads his 1,200 poems (p50 68 ms on the 100k
 * catalogue), and the same few cards are asked for by every reader of a lecture.
 */
const cachedCards = 256

export interface CardServiceInit {
  records: ResourceRecords
  /** A lecture's subtitle text ('' when it has none on this node). */
  transcript: (r: Resource) => Promise<string>
  /**
   * Whether the linked data publishes this place (by its name id). Without it no place has a
   * card: a subject is not a place because a card was asked for it.
   */
  isPlace?: ((id: string) => Promise<boolean>) | undefined
  logger?: Logger | undefined
}

export const cardRecord = (r: Resource): CardRecord => ({
  id: r.id,
  type: r.type,
  title: r.metadata.title,
  creators: r.metadata.creators,
  ...(r.metadata.date ? { date: r.metadata.date } : {}),
})

const isWork = (r: Resource) => r.type !== 'course' && r.type !== 'lecture'

export class CardService {
  #catalogue: CardCatalogue | undefined
  #building: Promise<CardCatalogue> | undefined
  /** Bumped by every change, so a build that read older records is not kept. */
  #generation = 0
  readonly #cards = new Map<string, KnowledgeCard | null>()
  /** Bumped by every change of the records (the cached cards' clock). */
  #changes = 0

  constructor(private readonly init: CardServiceInit) {
    init.records.onChange((changes) => {
      this.#changes++
      this.#cards.clear()
      const cat = this.#catalogue
      // Works are followed in place; a course or lecture (or a change during a build) reads all again.
      const followed =
        !!cat &&
        !this.#building &&
        changes.every((ch) =>
          cat.apply(ch.kind === 'put' ? ch.previous : ch.resource, ch.kind === 'put' ? ch.resource : undefined),
        )
      if (followed) return
      this.#generation++
      this.#catalogue = undefined
    })
  }

  async #index(): Promise<CardCatalogue> {
    if (this.#catalogue) return this.#catalogue
    if (!this.#building) {
      const generation = this.#generation
      const started = Date.now()
      this.#building = CardCatalogue.build(this.init.records.all(), this.init.transcript)
        .then((built) => {
          if (generation === this.#generation) this.#catalogue = built
          this.init.logger?.debug({ ms: Date.now() - started }, 'knowledge cards: catalogue read')
          return built
        })
        .finally(() => (this.#building = undefined))
    }
    return this.#building
  }

  async #published(ids: readonly string[]): Promise<Resource[]> {
    const got = await this.init.records.getMany([...ids])
    return got.filter((r): r is Resource => !!r && r.status === 'published')
  }

  /** The card of a thing, or `null` when no published record names it. */
  async card(kind: CardKind, rawId: string): Promise<KnowledgeCard | null> {
    const id = kind === 'class' ? rawId.trim().toUpperCase() : ldNameId(rawId)
    const key = `${kind}:${id}`
    // Asked every time: places come and go with activities, which do not clear the cached cards.
    if (kind === 'place' && !(await this.init.isPlace?.(id))) return null
    const hit = this.#cards.get(key)
    if (hit !== undefined) return hit
    const seen = this.#changes
    const card = await this.#card(kind, id)
    // Not kept when the records changed while it was read.
    if (seen === this.#changes) {
      if (this.#cards.size >= cachedCards) this.#cards.delete(this.#cards.keys().next().value!)
      this.#cards.set(key, card)
    }
    return card
  }

  async #card(kind: CardKind, id: string): Promise<KnowledgeCard | null> {
    const cat = await this.#index()
    let ids: string[]
    let mentioned: string[]
    if (kind === 'class') {
      ids = cat.inClass(id)
      mentioned = []
    } else {
      // A person's card holds works by them and records about them (their name as a subject).
      ids = [...new Set([...(kind === 'person' ? (cat.persons.get(id) ?? []) : []), ...(cat.subjects.get(id) ?? [])])]
      mentioned = cat.mentions.get(`${kind === 'person' ? 'person' : 'subject'}:${id}`) ?? []
    }
    // A place the linked data publishes has its card even when no record carries its name.
    if (!ids.length && !mentioned.length && kind !== 'place') return null
    const read = await this.#published([...new Set([...ids.slice(0, maxRead), ...mentioned])])
    const related = new Map<string, CardLink>()
    const count = (k: CardLink['kind'], name: string) => {
      if (k === kind && name === id) return
      const key = `${k}:${name}`
      const link = related.get(key) ?? { kind: k, id: name, count: 0 }
      link.count++
      related.set(key, link)
    }
    for (const r of read) {
      for (const p of personsOf(r)) if (isKnownPerson(p)) count('person', p)
      for (const s of subjectsOf(r)) count('subject', s)
    }
    // Persons spoken of in the same lecture are related too.
    for (const l of mentioned)
      for (const k of cat.keywords.get(l) ?? []) if (k.kind === 'person' || k.kind === 'subject') count(k.kind, k.text)
    const timeline = read
      .filter((r) => isWork(r) && r.metadata.date)
      .sort((a, b) => (a.metadata.date! < b.metadata.date! ? -1 : a.metadata.date! > b.metadata.date! ? 1 : 0))
      .slice(0, timelineShown)
      .map((r) => ({ date: r.metadata.date!, record: cardRecord(r) }))
    return {
      kind,
      id,
      uri: ldPath(kind, id),
      total: new Set([...ids, ...mentioned]).size,
      works: read.filter(isWork).slice(0, listed).map(cardRecord),
      courses: read
        .filter((r) => r.type === 'course')
        .slice(0, listed)
        .map(cardRecord),
      lectures: read
        .filter((r) => r.type === 'lecture')
        .slice(0, listed)
        .map(cardRecord),
      related: [...related.values()].sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1)).slice(0, relatedShown),
      timeline,
    }
  }

  /** The keywords of a lecture's subtitles, each linked to catalogue records, and their cards. */
  async lectureCards(lecture: Resource): Promise<LectureCards> {
    const cat = await this.#index()
    const kws = cat.keywords.get(lecture.id) ?? keywordsOf(await this.init.transcript(lecture), cat.known)
    const keywords: LectureCards['keywords'] = []
    const cards: KnowledgeCard[] = []
    for (const k of kws) {
      let ids: readonly string[] = k.ids
      if (k.kind === 'person' || k.kind === 'subject') {
        const card = cards.length < lectureCards ? await this.card(k.kind, k.text) : null
        if (card) cards.push(card)
        ids = (k.kind === 'person' ? cat.persons.get(k.text) : cat.subjects.get(k.text)) ?? []
      }
      const records = (await this.#published(ids.slice(0, keywordRecords * 2)))
        .filter((r) => r.id !== lecture.id)
        .slice(0, keywordRecords)
        .map(cardRecord)
      keywords.push({ text: k.text, kind: k.kind, count: k.count, records })
    }
    return { lecture: lecture.id, keywords, cards }
  }

  /**
   * Related works and courses of a record: those sharing its persons, subjects, class or title —
   * and, through the lectures' subtitles, the works a course speaks of and the courses that speak
   * of a work's author. Ranked by what they share (a person or a named work counts most).
   */
  async related(record: Resource): Promise<RelatedRecords> {
    const cat = await this.#index()
    const mine = cat.featuresOf(record)
    const scores = new Map<string, number>()
    const add = (ids: readonly string[] | undefined, w: number) => {
      for (const id of (ids ?? []).slice(0, perFeature)) scores.set(id, (scores.get(id) ?? 0) + w)
    }
    for (const [f, w] of mine) {
      const [k, v] = [f.slice(0, 1), f.slice(2)]
      if (k === 'p') add(cat.persons.get(v), w)
      else if (k === 's') add(cat.subjects.get(v), w)
      else if (k === 't') add(cat.titled(v), w)
      else if (k === 'k') add(cat.inClass(v), w)
      else if (k === 'r') add([v], w)
    }
    scores.delete(record.id)
    const ranked = [...scores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id)
    const works = (await this.#published(ranked.slice(0, relatedLimit * 4))).filter(isWork).slice(0, relatedLimit)
    // Courses are few: each is compared whole (its own features and its lectures').
    const own = record.type === 'lecture' ? record.parentId : record.id
    const courseScores: Array<[string, number]> = []
    for (const courseId of cat.courses) {
      if (courseId === own) continue
      const theirs = cat.courseFeatures.get(courseId)!
      let score = 0
      for (const [f, w] of mine) if (theirs.has(f)) score += w
      if (score > 0) courseScores.push([courseId, score])
    }
    courseScores.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    const courses = await this.#published(courseScores.slice(0, relatedLimit).map(([id]) => id))
    return { works: works.map(cardRecord), courses: courses.map(cardRecord) }
  }
}
