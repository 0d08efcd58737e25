/**
 * @module sessions/http-auth
 * Finds who is calling (session cookie or bearer token) and enforces a route's access rule,
 * including the CSRF token on cookie-authenticated writes.
 */
import type { Context } from 'hono'
import { createHash } from 'node:crypto'
import { getCookie, setCookie, deleteCookie } from 'hono/cookie'
import type { Access } from '../http/api.js'
import type { AppEnv, RequestAuth } from '../http/env.js'
import { ProblemError } from '../http/problem.js'
import type { AccountRecord, AccountStore } from '../accounts/store.js'
import { safeEqual, type SessionService } from './service.js'
import type { SessionRecord } from './store.js'

/** `__Host-` cookies need TLS; on plain HTTP (a LAN node without a proxy) the name has no prefix. */
export const cookieNames = { tls: '__Host-shulin_session', plain: 'shulin_session' } as const
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface HttpAuthOptions {
  sessions: SessionService
  accounts: AccountStore
  isTls: (c: Context) => boolean
  controlToken: () => string | undefined
  /**
   * Checks HTTP Basic credentials (card number, phone, … and password), throttled like a
   * sign-in. Reading apps (OPDS clients) send them with every request, so a success is
   * remembered for a few minutes instead of hashing the password each time.
   */
  basic?: (identifier: string, password: string, c: Context<AppEnv>) => Promise<AccountRecord>
  now?: () => number
  /**
   * Whether an account may use its session right now beyond being active (a visiting reader:
   * only while the home library is an active member). A refused session is ended.
   */
  admits?: (account: AccountRecord) => boolean
}

const basicChallenge = () =>
  new ProblemError('invalid_credentials', {
    headers: {
      'www-authenticate': 'Basic realm="shulin", charset="UTF-8"',
      link: '</opds/auth.json>; rel="http://opds-spec.org/auth/document"; type="application/opds-authentication+json"',
    },
  })

/** Paths where reading apps may use HTTP Basic instead of a session. */
const basicPaths = /^\/(opds\/|api\/resources\/)/
const basicCacheMs = 5 * 60_000
const basicCacheMax = 1000

export class HttpAuth {
  readonly #basicCache = new Map<string, { accountId: string; until: number }>()
  /** Basic checks under way, by header hash (entries leave when their check settles). */
  readonly #basicChecks = new Map<string, Promise<AccountRecord>>()

  constructor(private readonly opts: HttpAuthOptions) {}

  async #basic(c: Context<AppEnv>, header: string): Promise<RequestAuth | null> {
    if (!this.opts.basic || !safeMethods.has(c.req.method) || !basicPaths.test(c.req.path)) return null
    const now = (this.opts.now ?? Date.now)()
    const key = createHash('sha256').update(header).digest('base64url')
    let accountId = this.#basicCache.get(key)
    if (!accountId || accountId.until < now) {
      this.#basicCache.delete(key)
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon < 1) throw basicChallenge()
      // Requests with the same header at once share one check: a reading app fetching a feed
      // and its covers together is one sign-in, not many that the throttle would refuse.
      let check = this.#basicChecks.get(key)
      if (!check) {
        check = this.opts
          .basic(decoded.slice(0, colon), decoded.slice(colon + 1), c)
          .finally(() => this.#basicChecks.delete(key))
        this.#basicChecks.set(key, check)
      }
      let account: AccountRecord
      try {
        account = await check
      } catch (err) {
        // Reading apps prompt for new credentials on a Basic challenge (OPDS authentication).
        if (err instanceof ProblemError && err.code === 'invalid_credentials') throw basicChallenge()
        throw err
      }
      if (this.#basicCache.size >= basicCacheMax) this.#basicCache.delete(this.#basicCache.keys().next().value!)
      accountId = { accountId: account.id, until: now + basicCacheMs }
      this.#basicCache.set(key, accountId)
    }
    const account = await this.opts.accounts.get(accountId.accountId)
    if (!account || account.status !== 'active') {
      this.#basicCache.delete(key)
      return null
    }
    const session: SessionRecord = {
      accountId: account.id,
      kind: 'bearer',
      remember: false,
      csrfToken: '',
      createdAt: now,
      lastSeenAt: now,
      expiresAt: accountId.until,
      idleTimeoutMs: basicCacheMs,
      userAgent: c.req.header('user-agent') ?? '',
      address: c.get('clientAddress'),
    }
    return { account, session, sessionId: `basic:${key}`, via: 'basic' }
  }

  #token(c: Context): { token: string; via: 'cookie' | 'bearer' } | undefined {
    const header = c.req.header('authorization')
    if (header?.startsWith('Bearer ')) return { token: header.slice(7).trim(), via: 'bearer' }
    const cookie = getCookie(c, cookieNames.tls) ?? getCookie(c, cookieNames.plain)
    return cookie ? { token: cookie, via: 'cookie' } : undefined
  }

  /** The caller, or `null`. A disabled account's sessions are ended on sight. */
  async identify(c: Context<AppEnv>): Promise<RequestAuth | null> {
    const header = c.req.header('authorization')
    if (header?.startsWith('Basic ')) return this.#basic(c, header)
    const found = this.#token(c)
    if (!found) return null
    const checked = await this.opts.sessions.check(found.token, found.via)
    if (!checked) return null
    const account = await this.opts.accounts.get(checked.session.accountId)
    if (!account || account.status !== 'active') {
      await this.opts.sessions.endAll(checked.session.accountId)
      return null
    }
    if (this.opts.admits && !this.opts.admits(account)) {
      await this.opts.sessions.end(checked.id, account.id)
      return null
    }
    return { account, session: checked.session, sessionId: checked.id, via: found.via }
  }

  /** The route guard used by every declared route. */
  check = async (c: Context<AppEnv>, access: Access): Promise<void> => {
    if (access === 'control') {
      const expected = this.opts.controlToken()
      const given = c.req.header('authorization')?.replace(/^Shulin-Control /, '')
      if (!expected || !given || !safeEqual(given, expected)) throw new ProblemError('forbidden')
      return
    }
    const auth = await this.identify(c)
    c.set('auth', auth)
    if (access === 'public') return
    if (!auth) throw new ProblemError('unauthenticated')
    if (auth.via === 'cookie' && !safeMethods.has(c.req.method)) {
      const token = c.req.header('x-csrf-token')
      if (!token || !safeEqual(token, auth.session.csrfToken)) throw new ProblemError('csrf_failed')
    }
    const roles = auth.account.roles
    const staff = roles.includes('admin') || roles.includes('librarian')
    if (access === 'staff' && !staff) throw new ProblemError('forbidden')
    if (access === 'moderator' && !(staff || roles.includes('moderator'))) throw new ProblemError('forbidden')
    if (access === 'judge' && !(roles.includes('admin') || roles.includes('judge'))) throw new ProblemError('forbidden')
    if (access === 'admin' && !roles.includes('admin')) throw new ProblemError('forbidden')
  }

  setSessionCookie(c: Context, token: string, session: SessionRecord): void {
    const tls = this.opts.isTls(c)
    setCookie(c, tls ? cookieNames.tls : cookieNames.plain, token, {
      path: '/',
      httpOnly: true,
      secure: tls,
      sameSite: 'Lax',
      // By the same clock that set expiresAt (the node's `now`), or a moved clock gives a wrong lifetime.
      ...(session.remember ? { maxAge: Math.floor((session.expiresAt - (this.opts.now ?? Date.now)()) / 1000) } : {}),
    })
  }

  clearSessionCookie(c: Context): void {
    deleteCookie(c, cookieNames.tls, { path: '/', secure: true })
    deleteCookie(c, cookieNames.plain, { path: '/' })
  }
}
