/**
 * @module ld/cards/routes
 * `GET /api/ld/cards/{kind}/{id}` (a knowledge card), `GET /api/lectures/:id/cards` (the cards a
 * lecture's subtitles call up) and `GET /api/resources/:id/related` (related works and courses).
 * Public, like the catalogue: drafts and withdrawn records are never listed; a record a reader
 * may not see answers 404, and a lecture's cards need what its subtitles need (its content).
 */
import type { Context } from 'hono'
import { CardParams, KnowledgeCard, LectureCards, RelatedRecords } from '@shulin/protocol'
import type { Api } from '../../http/api.js'
import type { AppEnv } from '../../http/env.js'
import { ProblemError } from '../../http/problem.js'
import { canSeeRecord } from '../../resources/access.js'
import type { ResourceRecords } from '../../resources/store.js'
import { checkLectureContent } from '../../courses/access.js'
import type { CardService } from './service.js'

/** Cards change only when records do: a short shared cache spares a busy page the rebuild. */
const cacheControl = 'public, max-age=60'

export function cardRoutes(api: Api, deps: { cards: CardService; records: ResourceRecords }): void {
  const { cards, records } = deps
  const tags = ['linked data']
  const id = (c: Context) => c.req.param('id') ?? ''

  api.route(
    {
      method: 'get',
      path: '/api/ld/cards/:kind/:id',
      summary: 'The knowledge card of a person, subject, class or place: works, courses, lectures, related, timeline',
      tags,
      access: 'public',
      response: KnowledgeCard,
    },
    async (c: Context<AppEnv>) => {
      const params = CardParams.safeParse({ kind: c.req.param('kind'), id: id(c) })
      if (!params.success) throw new ProblemError('not_found')
      const card = await cards.card(params.data.kind, params.data.id)
      if (!card) throw new ProblemError('not_found')
      c.header('cache-control', cacheControl)
      return card
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/lectures/:id/cards',
      summary: "Keywords of a lecture's subtitles linked to catalogue records, and the knowledge cards they call up",
      tags,
      access: 'public',
      response: LectureCards,
    },
    async (c: Context<AppEnv>) => {
      const lecture = await records.get(id(c))
      if (!lecture || lecture.type !== 'lecture') throw new ProblemError('not_found')
      const course = lecture.parentId ? await records.get(lecture.parentId) : undefined
      checkLectureContent(lecture, course, c.get('auth') ?? null)
      c.header('cache-control', 'private, max-age=60')
      return cards.lectureCards(lecture)
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/resources/:id/related',
      summary: 'Related works and related courses of a record',
      tags,
      access: 'public',
      response: RelatedRecords,
    },
    async (c: Context<AppEnv>) => {
      const record = await records.get(id(c))
      if (!record || !canSeeRecord(record, c.get('auth') ?? null)) throw new ProblemError('not_found')
      c.header('cache-control', record.status === 'published' ? cacheControl : 'private, no-store')
      return cards.related(record)
    },
  )
}
