/**
 * @module ld/cards
 * Knowledge cards (知识卡片): what the catalogue knows of a person, subject, 中图法 class or
 * place — works, courses and lectures by or about it, the persons named beside it, a timeline —
 * and the cards a lecture's subtitles call up (`GET /api/ld/cards/{kind}/{id}`,
 * `GET /api/lectures/:id/cards`), and the related works and courses of a record
 * (`GET /api/resources/:id/related`). Things are named as in `ld/uris` (`ldNameId`, class numbers).
 */
import { z } from 'zod'
import { ResourceType } from '../resources/schemas.js'

/** What a card can be about. */
export const CardKind = z.enum(['person', 'subject', 'class', 'place'])
export type CardKind = z.infer<typeof CardKind>

/** `/api/ld/cards/{kind}/{id}` path parameters. */
export const CardParams = z.object({ kind: CardKind, id: z.string().min(1).max(500) })

/** A catalogue record as a card lists it. */
export const CardRecord = z.object({
  id: z.string(),
  type: ResourceType,
  title: z.string(),
  creators: z.array(z.string()),
  date: z.string().optional(),
})
export type CardRecord = z.infer<typeof CardRecord>

/** Another thing named beside this one, and in how many records. */
export const CardLink = z.object({ kind: CardKind, id: z.string(), count: z.number().int() })
export type CardLink = z.infer<typeof CardLink>

export const KnowledgeCard = z.object({
  kind: CardKind,
  /** The name as catalogued (a class: its number). */
  id: z.string(),
  /** Its linked-data URI's path (`/ld/person/…`). */
  uri: z.string(),
  /** Published records by or about it, counted in full; `works` lists the first ones. */
  total: z.number().int(),
  works: z.array(CardRecord),
  courses: z.array(CardRecord),
  lectures: z.array(CardRecord),
  /** Persons (and subjects) that share records with it, most shared first. */
  related: z.array(CardLink),
  /** Dated works, oldest first: year (or date) and the record. */
  timeline: z.array(z.object({ date: z.string(), record: CardRecord })),
})
export type KnowledgeCard = z.infer<typeof KnowledgeCard>

/**
 * A word of a lecture's subtitles: a known person or subject (with its card), a work named in
 * 《》 (with its records), or a frequent term (searched for).
 */
export const LectureKeyword = z.object({
  text: z.string(),
  kind: z.enum(['person', 'subject', 'work', 'term']),
  /** Times it is said. */
  count: z.number().int(),
  records: z.array(CardRecord),
})
export type LectureKeyword = z.infer<typeof LectureKeyword>

export const LectureCards = z.object({
  lecture: z.string(),
  keywords: z.array(LectureKeyword),
  /** Cards of the persons and subjects it speaks of, most said first. */
  cards: z.array(KnowledgeCard),
})
export type LectureCards = z.infer<typeof LectureCards>

/** "Related works" and "related courses" of a record (resource or course page). */
export const RelatedRecords = z.object({ works: z.array(CardRecord), courses: z.array(CardRecord) })
export type RelatedRecords = z.infer<typeof RelatedRecords>
