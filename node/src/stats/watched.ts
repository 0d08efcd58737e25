/**
 * @module stats/watched
 * `POST /api/lectures/:id/watched` `{"seconds": 1…600}`: a player reports seconds of a lecture
 * it played (every 60 s of playing and on pause), which become `Seconds_Watched` in the day's
 * figures. Nothing about the reader is kept beyond what every usage event keeps (the session's
 * keyed hash, for the day).
 *
 * A report claims time, so claims are held to the clock: each viewer (session, or address +
 * user agent) and lecture has a credit that fills at one second per second up to 600, and a
 * report counts only up to it (one viewer cannot claim an hour in a minute, however many
 * reports it sends). The credits live in memory, at most {@link maxViewers} of them.
 *
 * Embeds on a library's own site send these from another origin: the route takes no
 * credentials, changes nothing but a count, and answers CORS (see http/cors).
 */
import { z } from 'zod'
import type { Api } from '../http/api.js'
import { ProblemError } from '../http/problem.js'
import type { Resource } from '@shulin/protocol'
import { noteWatched } from './capture.js'

export const WatchedReport = z.strictObject({ seconds: z.number().int().min(1).max(600) })
export const WatchedAnswer = z.object({ counted: z.number().int() })

/** Most seconds one report, and one viewer's credit, may hold. */
const maxCredit = 600
/** Viewers remembered; past this the oldest are forgotten (their credit refills, a bounded gift). */
const maxViewers = 20_000

export function watchedRoutes(
  api: Api,
  deps: { records: { get(id: string): Promise<Resource | undefined> }; now?: () => number },
): void {
  const now = deps.now ?? Date.now
  /** `viewer lecture` → credit seconds and when it was last filled. */
  const credits = new Map<string, { credit: number; at: number }>()
  api.route(
    {
      method: 'post',
      path: '/api/lectures/:id/watched',
      summary: 'A player’s report of seconds played (statistics only; at most the time that passed)',
      tags: ['stats'],
      access: 'public',
      body: WatchedReport,
      response: WatchedAnswer,
      status: 202,
    },
    async (c, { body }) => {
      const id = c.req.param('id') ?? ''
      const lecture = await deps.records.get(id)
      if (!lecture || lecture.type !== 'lecture' || lecture.status !== 'published') throw new ProblemError('not_found')
      const auth = c.get('auth')
      const viewer = auth ? `s:${auth.sessionId}` : `a:${c.get('clientAddress')} ${c.req.header('user-agent') ?? ''}`
      const key = `${viewer} ${id}`
      const t = now()
      const prev = credits.get(key)
      const credit = prev ? Math.min(maxCredit, prev.credit + (t - prev.at) / 1000) : maxCredit
      const counted = Math.floor(Math.min(body.seconds, credit))
      credits.delete(key)
      credits.set(key, { credit: credit - counted, at: t })
      if (credits.size > maxViewers) credits.delete(credits.keys().next().value!)
      if (counted > 0) noteWatched(c, counted)
      return { counted }
    },
  )
}
