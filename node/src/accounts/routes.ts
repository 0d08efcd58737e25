/**
 * @module accounts/routes
 * `/api/auth/*`, `/api/me` and `/api/session`: HTTP only — validate, call the service, answer.
 */
import type { Context } from 'hono'
import {
  ChangePasswordRequest,
  ForgotPasswordRequest,
  LoginRequest,
  LoginResponse,
  MeResponse,
  Ok,
  RegisterRequest,
  ResetPasswordRequest,
  SessionState,
  type LoginResponse as LoginResponseT,
} from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv, RequestAuth } from '../http/env.js'
import { localeOf, ProblemError } from '../http/problem.js'
import type { HttpAuth } from '../sessions/http-auth.js'
import type { Logger } from '../logger.js'
import type { SessionService } from '../sessions/service.js'
import type { SessionRecord } from '../sessions/store.js'
import type { AccountService, ClientInfo } from './service.js'
import { toAccountView, type AccountRecord } from './store.js'

export interface AccountRoutesDeps {
  accounts: AccountService
  sessions: SessionService
  auth: HttpAuth
  logger?: Logger
  /** Phone verification at quick registration (the SMS settings say whether it is on). */
  phoneCodes?: { required(): Promise<boolean>; check(phone: string, code: string): Promise<boolean> }
}

export function clientInfo(c: Context<AppEnv>): ClientInfo {
  return { address: c.get('clientAddress'), userAgent: c.req.header('user-agent') ?? '', locale: localeOf(c) }
}

export const mustAuth = (c: Context<AppEnv>): RequestAuth => {
  const auth = c.get('auth')
  if (!auth) throw new ProblemError('unauthenticated')
  return auth
}

function meBody(account: AccountRecord, session: SessionRecord): MeResponse {
  return {
    account: toAccountView(account),
    session: {
      expiresAt: new Date(session.expiresAt).toISOString(),
      remember: session.remember,
      csrfToken: session.csrfToken,
    },
  }
}

export function accountRoutes(api: Api, { accounts, sessions, auth, logger, phoneCodes }: AccountRoutesDeps): void {
  const tags = ['auth']

  const signIn = async (
    c: Context<AppEnv>,
    account: AccountRecord,
    remember: boolean,
    bearer: boolean,
  ): Promise<LoginResponseT> => {
    const client = clientInfo(c)
    // A new session every time: a token planted before sign-in is never promoted (no fixation).
    const previous = c.get('auth')
    if (previous?.via === 'cookie') await sessions.end(previous.sessionId, previous.account.id)
    const kind = bearer ? 'bearer' : 'cookie'
    const { token, session } = await sessions.create(account.id, {
      kind,
      remember,
      userAgent: client.userAgent,
      address: client.address,
    })
    if (bearer) return { ...meBody(account, session), token }
    auth.setSessionCookie(c, token, session)
    return meBody(account, session)
  }

  api.route(
    {
      method: 'post',
      path: '/api/auth/register',
      summary: 'Register a reader (quick: phone; real-name: name + resident ID)',
      tags,
      access: 'public',
      body: RegisterRequest,
      response: LoginResponse,
      status: 201,
    },
    async (c, { body }) => {
      const wait = accounts.registrations.take(c.get('clientAddress'))
      if (wait > 0) throw new ProblemError('too_many_attempts', { retryAfterSeconds: wait })
      if (body.mode === 'quick' && phoneCodes && (await phoneCodes.required())) {
        const ok = body.phoneCode !== undefined && (await phoneCodes.check(body.phone, body.phoneCode))
        if (!ok) throw new ProblemError('invalid_code', { errors: [{ pointer: '/phoneCode', detail: 'invalid_code' }] })
      }
      const account = await accounts.register(body)
      return signIn(c, account, false, false)
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/auth/login',
      summary: 'Sign in with card number, phone, username or resident ID',
      tags,
      access: 'public',
      body: LoginRequest,
      response: LoginResponse,
    },
    async (c, { body }) => {
      const account = await accounts.authenticate(body.identifier, body.password, clientInfo(c))
      return signIn(c, account, body.remember, body.bearer)
    },
  )

  api.route(
    { method: 'post', path: '/api/auth/logout', summary: 'End this session', tags, access: 'session', response: Ok },
    async (c) => {
      const me = mustAuth(c)
      await sessions.end(me.sessionId, me.account.id)
      auth.clearSessionCookie(c)
      return { ok: true as const }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/auth/password/forgot',
      summary: 'Send a one-time reset code to the phone of an account',
      tags,
      access: 'public',
      body: ForgotPasswordRequest,
      response: Ok,
      status: 202,
    },
    async (c, { body }) => {
      // Same answer whether or not the account exists: card numbers and phones are guessable.
      const wait = accounts.throttle.retryAfter(`forgot:${body.identifier}`, c.get('clientAddress'))
      if (wait > 0) throw new ProblemError('too_many_attempts', { retryAfterSeconds: wait })
      // Answered before the account is even looked up: the answer's time says nothing either.
      accounts.requestReset(body.identifier, localeOf(c), (err) =>
        logger?.warn({ err }, 'could not send a password reset code'),
      )
      return { ok: true as const }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/auth/password/reset',
      summary: 'Set a new password with a reset code',
      tags,
      access: 'public',
      body: ResetPasswordRequest,
      response: Ok,
    },
    async (c, { body }) => {
      await accounts.resetPassword(body.identifier, body.code, body.password, clientInfo(c))
      return { ok: true as const }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/me',
      summary: 'The signed-in account and its session',
      tags: ['me'],
      access: 'session',
      response: MeResponse,
    },
    async (c) => {
      const me = mustAuth(c)
      return meBody(me.account, me.session)
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/session',
      summary: 'Who is signed in: the account and its session, or `signedIn: false` (never a 401)',
      tags: ['me'],
      access: 'public',
      response: SessionState,
    },
    async (c) => {
      // It names the account and carries its CSRF token: for this browser only, never kept.
      c.header('cache-control', 'private, no-store')
      c.header('vary', 'Cookie, Authorization')
      const me = c.get('auth')
      return me ? { signedIn: true as const, ...meBody(me.account, me.session) } : { signedIn: false as const }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/me/password',
      summary: 'Change my password (ends my other sessions by default)',
      tags: ['me'],
      access: 'session',
      body: ChangePasswordRequest,
      response: Ok,
    },
    async (c, { body }) => {
      const me = mustAuth(c)
      await accounts.changePassword(me.account.id, body.currentPassword, body.password, clientInfo(c))
      if (body.endOtherSessions) await sessions.endAll(me.account.id, me.sessionId)
      return { ok: true as const }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/me/sessions/end-others',
      summary: 'Sign out everywhere else',
      tags: ['me'],
      access: 'session',
      response: Ok,
    },
    async (c) => {
      const me = mustAuth(c)
      await sessions.endAll(me.account.id, me.sessionId)
      return { ok: true as const }
    },
  )
}
