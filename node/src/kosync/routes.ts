/**
 * @module kosync/routes
 * The kosync API that KOReader's "Progress sync" plugin speaks, under `/kosync`, answering as
 * the reference kosync server does (its JSON bodies, statuses and `{code, message}` errors,
 * which the plugin shows), and the reader's key routes under `/api/me/kosync`.
 */
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { KosyncKey, KosyncStatus, Ok } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { BaseUrl } from '../http/base-url.js'
import type { AppEnv } from '../http/env.js'
import type { AccountRecord } from '../accounts/store.js'
import type { KosyncService } from './service.js'

export const kosyncBase = '/kosync'

/** The reference server's errors: KOReader shows `message` to the reader. */
const errors = {
  unauthorized: { status: 401, code: 2001, message: 'Unauthorized' },
  userExists: { status: 402, code: 2002, message: 'Username is already registered.' },
  invalid: { status: 403, code: 2003, message: 'Invalid request' },
  noDocument: { status: 403, code: 2004, message: "Field 'document' not provided." },
  tooManyDocuments: {
    status: 403,
    code: 2003,
    message: 'Progress is kept for a limited number of documents per reader; this one is over it.',
  },
  registrationClosed: {
    status: 402,
    code: 2005,
    message: 'Make a sync key on your library page (My account → KOReader), then log in with it.',
  },
} as const
type KosyncError = (typeof errors)[keyof typeof errors]

/** A document id, as the reference server accepts it as a key: not empty, no colon. */
const DocumentId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^:]+$/)
const ProgressBody = z.object({
  document: DocumentId,
  progress: z.string().max(2000),
  percentage: z.coerce.number().min(0).max(1),
  device: z.string().max(200),
  device_id: z.string().max(200).optional(),
})
const RegisterBody = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(200) })

const answer = (c: Context<AppEnv>, body: object, status: 200 | 201 = 200) =>
  c.json(body, status, { 'content-type': 'application/json' })
const fail = (c: Context<AppEnv>, e: KosyncError) =>
  c.json({ code: e.code, message: e.message }, e.status, { 'content-type': 'application/json' })

/** The request's JSON body, or `undefined` when it is not JSON. */
async function jsonBody(c: Context<AppEnv>): Promise<unknown> {
  try {
    return await c.req.json()
  } catch {
    return undefined
  }
}

export function kosyncRoutes(app: Hono<AppEnv>, api: Api, deps: { kosync: KosyncService; baseUrl: BaseUrl }): void {
  const { kosync, baseUrl } = deps
  const signedIn = async (c: Context<AppEnv>): Promise<AccountRecord | undefined> =>
    kosync.authenticate(c.req.header('x-auth-user') ?? '', c.req.header('x-auth-key') ?? '')

  // Readers get accounts at the library, not from KOReader: "register" only says so.
  app.post(`${kosyncBase}/users/create`, async (c) => {
    const body = RegisterBody.safeParse(await jsonBody(c))
    if (!body.success) return fail(c, errors.invalid)
    return fail(c, (await kosync.usernameTaken(body.data.username)) ? errors.userExists : errors.registrationClosed)
  })
  app.get(`${kosyncBase}/users/auth`, async (c) =>
    (await signedIn(c)) ? answer(c, { authorized: 'OK' }) : fail(c, errors.unauthorized),
  )
  app.put(`${kosyncBase}/syncs/progress`, async (c) => {
    const account = await signedIn(c)
    if (!account) return fail(c, errors.unauthorized)
    const raw = await jsonBody(c)
    const doc = DocumentId.safeParse((raw as { document?: unknown } | undefined)?.document)
    if (!doc.success) return fail(c, errors.noDocument)
    const body = ProgressBody.safeParse(raw)
    if (!body.success) return fail(c, errors.invalid)
    const { document, progress, percentage, device, device_id = '' } = body.data
    const kept = await kosync.update(account.id, { document, progress, percentage, device, device_id })
    if (kept === 'too_many_documents') return fail(c, errors.tooManyDocuments)
    return answer(c, { document, timestamp: kept.timestamp })
  })
  app.get(`${kosyncBase}/syncs/progress/:document`, async (c) => {
    const account = await signedIn(c)
    if (!account) return fail(c, errors.unauthorized)
    const doc = DocumentId.safeParse(c.req.param('document'))
    if (!doc.success) return fail(c, errors.noDocument)
    return answer(c, (await kosync.progress(account.id, doc.data)) ?? { document: doc.data })
  })

  const tags = ['reading']
  const url = (c: Context<AppEnv>) => `${baseUrl(c)}${kosyncBase}`
  api.route(
    {
      method: 'get',
      path: '/api/me/kosync',
      summary: 'My KOReader sync: the server address and my sync username (never the key)',
      tags,
      access: 'session',
      response: KosyncStatus,
    },
    async (c) => {
      const key = await kosync.keyOf(c.get('auth')!.account.id)
      return { url: url(c), username: key?.username ?? null, createdAt: key?.createdAt ?? null }
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/me/kosync',
      summary: 'Make a new KOReader sync key (shown once; the earlier key stops working)',
      tags,
      access: 'session',
      response: KosyncKey,
    },
    async (c) => ({ ...(await kosync.createKey(c.get('auth')!.account)), url: url(c) }),
  )
  api.route(
    {
      method: 'delete',
      path: '/api/me/kosync',
      summary: 'Revoke my KOReader sync key',
      tags,
      access: 'session',
      response: Ok,
    },
    async (c) => {
      await kosync.revokeKey(c.get('auth')!.account.id)
      return { ok: true as const }
    },
  )
}
