/**
 * @module activities/routes
 * The activities' JSON API (HTTP only: validate, call {@link ActivitiesService}, answer):
 * activities for everyone and their edits for staff; recitation entries (a multipart upload
 * checked by ffmpeg before it is accepted), their audio with ranges, likes and rankings; the
 * judges' finalists and scores; results; and the fair-play lists staff review (held likes,
 * flagged bursts, the audit trail).
 */
import { createReadStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Context } from 'hono'
import { z } from 'zod'
import {
  ActivityAuditList,
  ActivityCreated,
  ActivityFlagList,
  ActivityList,
  ActivityResults,
  ActivityView,
  CreateActivityRequest,
  DisqualifyRequest,
  EntryForm,
  EntryList,
  EntryView,
  FinalistList,
  HeldLikeList,
  JudgeScore,
  JudgeScoreRequest,
  LikeResult,
  Ranking,
  RankingQuery,
  ReleasedLikes,
  toPointer,
} from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv, RequestAuth } from '../http/env.js'
import { localeOf, ProblemError } from '../http/problem.js'
import { TranscodeFailure } from '../courses/transcode/tools.js'
import { serveBlob } from '../blobs/serve.js'
import { BlobTooLarge, type BlobStore } from '../blobs/store.js'
import type { MediaTools } from '../courses/transcode/tools.js'
import { AudioRejected, inspectAudio, transcodeAudio } from './audio.js'
import type { ActivitiesNetwork } from './network/index.js'
import { voterOf, type ActivitiesService, type EntryRecord } from './service.js'

/** Entry uploads take file-sized bodies (server.ts gives them their own limit). */
export const entryUploadPath = /^\/api\/activities\/[^/]+\/entries$/
/** So do the model readings staff upload. */
export const modelUploadPath = /^\/api\/staff\/activities\/[^/]+\/texts\/[^/]+\/model$/

/** A model reading (范读) may be longer than the readers' own recordings, within reason. */
const maxModelSeconds = 900

export interface ActivityRouteDeps {
  activities: ActivitiesService
  blobs: BlobStore
  /** ffmpeg and ffprobe, once the audio queue found them. */
  tools: () => MediaTools | undefined
  maxUploadBytes: number
  /** The network part: the hub's national ranking and the hub's model readings at a member. */
  network?: Pick<ActivitiesNetwork, 'nationalRanking' | 'model'> | undefined
  /** Where the model readings are normalised (a temp folder of the node). */
  tmpDir: string
}

const isStaff = (auth: RequestAuth | null) =>
  !!auth && (auth.account.roles.includes('admin') || auth.account.roles.includes('librarian'))

export function activityRoutes(api: Api, deps: ActivityRouteDeps): void {
  const { activities } = deps
  const tags = ['activities']
  const id = (c: Context) => c.req.param('id') ?? ''
  const entryId = (c: Context) => c.req.param('entryId') ?? ''
  const voter = (c: Context<AppEnv>) => {
    const auth = c.get('auth')
    return auth ? voterOf(auth.account, activities.nodeId) : undefined
  }
  /** Entries others may see: ready ones; the author and staff see theirs in every state. */
  const visible = (c: Context<AppEnv>, e: EntryRecord) => {
    const auth = c.get('auth')
    return e.status === 'ready' || isStaff(auth) || (auth?.account.id === e.author && !e.remote)
  }
  const published = async (activityId: string, c: Context<AppEnv>) => {
    const rec = await activities.get(activityId)
    if (rec.status !== 'published' && !isStaff(c.get('auth'))) throw new ProblemError('not_found')
    return rec
  }

  api.route(
    {
      method: 'post',
      path: '/api/staff/activities',
      summary: 'Create an activity (recitation or event), published at once',
      tags,
      access: 'staff',
      body: CreateActivityRequest,
      response: ActivityCreated,
      status: 201,
    },
    async (_c, { body }) => ({ id: (await activities.create(body)).id }),
  )
  api.route(
    {
      method: 'put',
      path: '/api/staff/activities/:id',
      summary: 'Replace an activity’s fields (this node’s activities only)',
      tags,
      access: 'staff',
      body: CreateActivityRequest,
      response: ActivityView,
    },
    async (c, { body }) => activities.view(await activities.update(id(c), body)),
  )
  for (const action of ['publish', 'withdraw'] as const)
    api.route(
      {
        method: 'post',
        path: `/api/staff/activities/:id/${action}`,
        summary: action === 'publish' ? 'Show an activity again' : 'Hide an activity from readers',
        tags,
        access: 'staff',
        response: ActivityView,
      },
      async (c) => activities.view(await activities.setStatus(id(c), action === 'publish' ? 'published' : 'withdrawn')),
    )
  api.route(
    {
      method: 'get',
      path: '/api/activities',
      summary: 'Activities, newest first (staff: withdrawn ones too)',
      tags,
      access: 'public',
      response: ActivityList,
    },
    async (c) => {
      const recs = await activities.list({ all: isStaff(c.get('auth')) })
      return { activities: await Promise.all(recs.map((r) => activities.view(r))) }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/activities/:id',
      summary: 'An activity',
      tags,
      access: 'public',
      response: ActivityView,
    },
    async (c) => activities.view(await published(id(c), c)),
  )

  /**
   * The multipart field `audio` staged and checked by ffmpeg (not audio, silent, too short or
   * longer than `maxSeconds`: refused with the reason), and the form's other fields as `fieldsOf`
   * reads them (before the audio is staged); the caller commits or discards it.
   */
  async function checkedAudio<F>(c: Context<AppEnv>, maxSeconds: number, fieldsOf: (form: FormData) => F) {
    const tools = deps.tools()
    if (!tools)
      throw new ProblemError('not_ready', { detail: 'This node cannot take recordings: ffmpeg is not installed.' })
    let form: FormData
    try {
      form = await c.req.raw.formData()
    } catch {
      throw new ProblemError('validation_failed', {
        errors: [{ pointer: '/audio', detail: 'send the recording as multipart/form-data with the field audio' }],
      })
    }
    const audio = form.get('audio')
    if (!(audio instanceof File) || audio.size === 0)
      throw new ProblemError('validation_failed', { errors: [{ pointer: '/audio', detail: 'required' }] })
    const fields = fieldsOf(form)
    let staged
    try {
      staged = await deps.blobs.stage(audio.stream() as unknown as AsyncIterable<Uint8Array>, deps.maxUploadBytes)
    } catch (err) {
      if (err instanceof BlobTooLarge) throw new ProblemError('payload_too_large')
      throw err
    }
    try {
      const info = await inspectAudio(tools, staged.path, maxSeconds).catch((err: unknown) => {
        if (!(err instanceof AudioRejected)) throw err
        throw new ProblemError('audio_rejected', {
          detail: localeOf(c) === 'zh-CN' ? err.zh : err.message,
          errors: [{ pointer: '/audio', detail: `audio_${err.reason}` }],
        })
      })
      return { tools, audio, staged, info, fields }
    } catch (err) {
      await staged.discard()
      throw err
    }
  }

  // Model readings (范读).

  api.route(
    {
      method: 'post',
      path: '/api/staff/activities/:id/texts/:resource/model',
      summary: 'Upload a text’s model reading (multipart `audio`; checked and loudness-normalised like entries)',
      tags,
      access: 'staff',
      response: ActivityView,
      rawBody: { contentType: 'multipart/form-data', description: 'Field `audio`: the model reading.' },
    },
    async (c) => {
      const rec = await activities.get(id(c))
      const resource = c.req.param('resource') ?? ''
      if (rec.scope === 'national' && rec.organiser.nodeId !== activities.nodeId) throw new ProblemError('forbidden')
      if (!rec.request.texts.some((t) => t.resource === resource))
        throw new ProblemError('not_found', { detail: 'The activity has no such text.' })
      const { tools, staged } = await checkedAudio(c, maxModelSeconds, () => undefined)
      // Normalised now (a staff upload, rare and short), so readers hear it as they hear entries.
      const out = join(deps.tmpDir, `model-${randomBytes(6).toString('hex')}.m4a`)
      try {
        await mkdir(deps.tmpDir, { recursive: true })
        await transcodeAudio(tools, staged.path, out, { maxSeconds: maxModelSeconds }).catch((err: unknown) => {
          if (!(err instanceof TranscodeFailure)) throw err
          throw new ProblemError('audio_rejected', {
            detail: `The recording could not be converted: ${err.message}`,
            errors: [{ pointer: '/audio', detail: 'audio_not_audio' }],
          })
        })
        const normalised = await deps.blobs.stage(createReadStream(out), deps.maxUploadBytes)
        const blob = await normalised.commit('audio/mp4')
        return activities.view(await activities.setModel(rec.id, resource, blob.sha256))
      } finally {
        await staged.discard()
        await rm(out, { force: true })
      }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/activities/:id/texts/:resource/model',
      summary: 'A text’s model reading (AAC in M4A; byte ranges); a member pulls the hub’s first',
      tags,
      access: 'public',
    },
    async (c) => {
      const rec = await published(id(c), c)
      const resource = c.req.param('resource') ?? ''
      const text = rec.request.texts.find((t) => t.resource === resource)
      if (!text?.model) throw new ProblemError('not_found')
      const info = await deps.blobs.info(text.model)
      let audio: { blob: string; size: number; mediaType: string } | 'fetching' | undefined = info
        ? { blob: info.sha256, size: info.size, mediaType: info.mediaType }
        : undefined
      if (!audio)
        audio = await deps.network?.model(rec, resource).catch((err: unknown) => {
          throw new ProblemError('peer_unreachable', { detail: (err as Error).message })
        })
      if (audio === 'fetching') throw new ProblemError('content_fetching', { headers: { 'retry-after': '5' } })
      if (!audio) throw new ProblemError('not_found')
      return serveBlob(c, deps.blobs, {
        sha256: audio.blob,
        mediaType: audio.mediaType,
        size: audio.size,
        audience: 'public',
      })
    },
  )

  // Entries.

  api.route(
    {
      method: 'post',
      path: '/api/activities/:id/entries',
      summary: 'Submit a recitation (multipart: `audio` file, optional `title` and `text`)',
      tags,
      access: 'session',
      response: ActivityCreated,
      status: 201,
      rawBody: { contentType: 'multipart/form-data', description: 'Field `audio`: the recording.' },
    },
    async (c) => {
      const auth = c.get('auth')!
      const act = await published(id(c), c)
      if (act.request.kind !== 'recitation') throw new ProblemError('not_found')
      if (act.request.audience === 'node-readers' && auth.account.home)
        throw new ProblemError('forbidden', { detail: 'This activity is for this library’s own readers.' })
      if (!activities.inPhase(act, 'submission'))
        throw new ProblemError('outside_phase', { detail: 'Entries are accepted only during the submission phase.' })
      // Refused before the body is read and decoded (the service checks again as it writes).
      const mine = await activities.entriesOf(auth.account.id, act.id)
      if (mine.filter((e) => e.status !== 'withdrawn' && e.status !== 'failed').length >= act.request.maxEntries)
        throw new ProblemError('entry_limit_reached', {
          detail: `This activity takes at most ${act.request.maxEntries} entries per reader.`,
        })
      const { audio, staged, info, fields } = await checkedAudio(c, act.request.maxSeconds, (form) => {
        const f = EntryForm.safeParse({
          ...(typeof form.get('title') === 'string' && form.get('title') !== '' ? { title: form.get('title') } : {}),
          ...(typeof form.get('text') === 'string' && form.get('text') !== '' ? { text: form.get('text') } : {}),
        })
        if (!f.success)
          throw new ProblemError('validation_failed', {
            errors: f.error.issues.map((i) => ({ pointer: toPointer(i.path), detail: i.message })),
          })
        return f.data
      })
      try {
        const blob = await staged.commit(audio.type || 'application/octet-stream')
        const e = await activities.submitEntry({
          activityId: act.id,
          account: auth.account,
          title: fields.title,
          text: fields.text,
          source: { blob: blob.sha256, mediaType: blob.mediaType },
          duration: info.durationSeconds,
        })
        return c.json({ id: e.id }, 201)
      } finally {
        await staged.discard()
      }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/activities/:id/entries',
      summary: 'An activity’s entries that are ready, newest first',
      tags,
      access: 'public',
      response: EntryList,
    },
    async (c) => {
      await published(id(c), c)
      const list = (await activities.entries(id(c))).filter((e) => e.status === 'ready' || isStaff(c.get('auth')))
      list.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      const v = voter(c)
      return { entries: await Promise.all(list.map((e) => activities.entryView(e, v))) }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/me/activity-entries',
      summary: 'My entries in every activity, newest first (every status)',
      tags,
      access: 'session',
      response: EntryList,
    },
    async (c) => {
      const auth = c.get('auth')!
      const list = (await activities.entriesOf(auth.account.id)).filter((e) => !e.remote)
      list.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      const v = voter(c)
      return { entries: await Promise.all(list.map((e) => activities.entryView(e, v))) }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/activities/:id/entries/:entryId',
      summary: 'An entry (its author sees it while it is processing or failed)',
      tags,
      access: 'public',
      response: EntryView,
    },
    async (c) => {
      const e = await activities.entryOf(id(c), entryId(c))
      if (!visible(c, e)) throw new ProblemError('not_found')
      return activities.entryView(e, voter(c))
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/activities/:id/entries/:entryId/audio',
      summary: 'An entry’s normalised audio (AAC in M4A; byte ranges)',
      tags,
      access: 'public',
    },
    async (c) => {
      const e = await activities.entryOf(id(c), entryId(c))
      const audio = await activities.audioOf(e.id)
      return serveBlob(c, deps.blobs, {
        sha256: audio.blob,
        mediaType: audio.mediaType,
        size: audio.size,
        audience: 'public',
      })
    },
  )
  api.route(
    {
      method: 'delete',
      path: '/api/activities/:id/entries/:entryId',
      summary: 'Withdraw my entry (it leaves the rankings; a new one may take its place)',
      tags,
      access: 'session',
      status: 204,
    },
    async (c) => {
      const e = await activities.entryOf(id(c), entryId(c))
      const auth = c.get('auth')!
      if (e.remote || e.author !== auth.account.id) throw new ProblemError('not_found')
      await activities.retireEntry(e.id, 'withdrawn', auth.account.id)
      return undefined
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/activities/:id/entries/:entryId/disqualify',
      summary: 'Disqualify an entry, with the reason (it leaves the rankings and judging; audited)',
      tags,
      access: 'staff',
      body: DisqualifyRequest,
      response: EntryView,
    },
    async (c, { body }) => {
      const e = await activities.entryOf(id(c), entryId(c))
      return activities.entryView(
        await activities.retireEntry(e.id, 'disqualified', c.get('auth')!.account.id, body.reason),
      )
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/activities/:id/entries/:entryId/like',
      summary: 'Like an entry (once a day, Asia/Shanghai, while voting is open)',
      tags,
      access: 'session',
      response: LikeResult,
    },
    async (c) =>
      activities.like({
        activityId: id(c),
        entryId: entryId(c),
        voter: voter(c)!,
        address: c.get('clientAddress'),
      }),
  )
  api.route(
    {
      method: 'get',
      path: '/api/activities/:id/ranking',
      summary: 'The ranking, highest first (scope: total, today, library, region, national: the hub’s)',
      tags,
      access: 'public',
      query: RankingQuery,
      response: Ranking,
    },
    async (c, { query }) => {
      const rec = await published(id(c), c)
      if (query.scope === 'national') {
        if (rec.request.audience !== 'member-readers')
          throw new ProblemError('not_found', { detail: 'Only a national activity has a national ranking.' })
        if (deps.network) return deps.network.nationalRanking(rec, query.limit)
      }
      return activities.ranking(rec.id, query)
    },
  )

  // Judging and results.

  api.route(
    {
      method: 'get',
      path: '/api/judge/activities/:id/finalists',
      summary: 'Each participant’s two most liked entries, with the scores given so far',
      tags,
      access: 'judge',
      response: FinalistList,
    },
    async (c) => {
      const list = await activities.finalists(id(c))
      return {
        entries: await Promise.all(
          list.map(async (e) => ({
            ...(await activities.entryView(e)),
            scores: (await activities.scores(e.activity, e.id)).map((s) => JudgeScore.parse(s)),
          })),
        ),
      }
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/judge/activities/:id/entries/:entryId/score',
      summary: 'Score a finalist 0–100 (a judge scoring again replaces their score)',
      tags,
      access: 'judge',
      body: JudgeScoreRequest,
      response: JudgeScore,
    },
    async (c, { body }) => JudgeScore.parse(await activities.score(id(c), entryId(c), c.get('auth')!.account.id, body)),
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/activities/:id/results',
      summary: 'Publish the final results (judges’ scores and likes by the weights) and notify participants',
      tags,
      access: 'staff',
      response: ActivityResults,
    },
    async (c) => activities.publishResults(id(c), c.get('auth')!.account.id),
  )
  api.route(
    {
      method: 'get',
      path: '/api/activities/:id/results',
      summary: 'The published results, best first',
      tags,
      access: 'public',
      response: ActivityResults,
    },
    async (c) => {
      await published(id(c), c)
      const r = await activities.results(id(c))
      if (!r) throw new ProblemError('not_found', { detail: 'The results are not published yet.' })
      return r
    },
  )

  // Fair play.

  api.route(
    {
      method: 'get',
      path: '/api/staff/activities/:id/audit',
      summary: 'Every change to the activity’s ranking besides plain likes, oldest first',
      tags,
      access: 'staff',
      response: ActivityAuditList,
    },
    async (c) => {
      await activities.get(id(c))
      return {
        events: (await activities.audit(id(c))).map(({ activity: _a, ...rest }) => rest),
      }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/activities/:id/held',
      summary: 'Likes held for review (new accounts during voting, when the activity holds them)',
      tags,
      access: 'staff',
      response: HeldLikeList,
    },
    async (c) => {
      await activities.get(id(c))
      return { likes: await activities.heldLikes(id(c)) }
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/activities/:id/held/release',
      summary: 'Count every held like of the activity (reviewed)',
      tags,
      access: 'staff',
      response: ReleasedLikes,
    },
    async (c) => ({ released: await activities.releaseHeld(id(c), c.get('auth')!.account.id) }),
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/activity-flags',
      summary: 'Bursts of likes from one address, newest first, for review',
      tags,
      access: 'staff',
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      response: ActivityFlagList,
    },
    async (_c, { query }) => ({ flags: await activities.flags(query.limit) }),
  )
}
