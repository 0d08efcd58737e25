/**
 * @module identity/relying-party
 * This node as the relying party for readers of other members: sends the reader to their
 * home's authorize endpoint with a signed request (state, nonce, PKCE S256), takes the code
 * back at `/oidc/callback`, redeems it with a client assertion, checks the ID token against the
 * home's key from the verified registry, and signs the visitor in locally.
 *
 * Revocation: a visitor's session stands only while the home is an active member (checked on
 * every request, see {@link RelyingParty.admits}); a reader disabled at home, or who ended the
 * session there, loses it at the next introspection round ({@link RelyingParty.checkVisits}):
 * one batch introspection per home and round (up to 200 visits each), not one request per visit
 * — at 3,000 members a busy library's visitors come from hundreds of homes, a few from each.
 */
import { createHash, randomBytes } from 'node:crypto'
import {
  IdTokenClaims,
  IntrospectionBatchResponse,
  IntrospectionResponse,
  maxIntrospectionBatch,
  readCappedJson,
  TokenResponse,
  type MemberEntry,
} from '@shulin/protocol'
import type { NodeKey } from '@shulin/federation/identity'
import type { AccountRecord } from '../accounts/store.js'
import type { SessionService } from '../sessions/service.js'
import { ProblemError } from '../http/problem.js'
import type { Logger } from '../logger.js'
import { homeOf, type Network } from './network.js'
import { signNodeJwt, verifyNodeJwt } from './tokens.js'
import { signClientAssertion } from './client-auth.js'
import type { Visit, VisitorStore } from './visitors.js'

const pendingTtlMs = 10 * 60_000
const maxPending = 10_000
const homeTimeoutMs = 10_000
/** A token or introspection answer is a few kilobytes. */
const maxAnswerBytes = 256 * 1024

interface Pending {
  home: string
  nonce: string
  verifier: string
  redirectUri: string
  next: string
  /** Hash of the random value in the browser's cookie: the callback must come from the browser that started. */
  binding: string
  expiresAt: number
}

export interface RelyingPartyOptions {
  key: NodeKey
  network: Network
  sessions: SessionService
  visitors: VisitorStore
  logger?: Logger | undefined
  now?: (() => number) | undefined
  /** For tests: how the token and introspection requests reach the home node. */
  fetch?: typeof fetch | undefined
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url')
const random = (bytes = 32) => randomBytes(bytes).toString('base64url')
/** Only paths on this node: never an open redirect. */
export const safeNext = (next: string | undefined) => (next && /^\/(?!\/)[^\\\s]*$/.test(next) ? next : '/')

export class RelyingParty {
  readonly #pending = new Map<string, Pending>()
  /** Per home: tokens issued before the home last stopped being active are refused for good. */
  readonly #notBefore = new Map<string, number>()

  constructor(private readonly opts: RelyingPartyOptions) {}

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  get #fetch(): typeof fetch {
    return this.opts.fetch ?? fetch
  }

  /** Where to send the browser, and the cookie value that binds the flow to it. */
  async start(
    homeId: string,
    callbackUrl: string,
    next: string | undefined,
  ): Promise<{ location: string; binding: string }> {
    const home = homeOf(this.opts.network, homeId)
    if (!home) throw new ProblemError('home_unknown')
    if (this.#pending.size >= maxPending)
      for (const [k, p] of this.#pending) if (p.expiresAt <= this.#now) this.#pending.delete(k)
    if (this.#pending.size >= maxPending) throw new ProblemError('too_many_attempts', { retryAfterSeconds: 60 })
    const state = random()
    const nonce = random()
    const verifier = random(48)
    const binding = random()
    this.#pending.set(state, {
      home: homeId,
      nonce,
      verifier,
      redirectUri: callbackUrl,
      next: safeNext(next),
      binding: sha256(binding),
      expiresAt: this.#now + pendingTtlMs,
    })
    const request = await signNodeJwt(
      this.opts.key,
      'request',
      {
        client_id: this.opts.key.nodeId,
        response_type: 'code',
        redirect_uri: callbackUrl,
        scope: 'openid profile',
        state,
        nonce,
        code_challenge: sha256(verifier),
        code_challenge_method: 'S256',
      },
      { audience: homeId, ttlSeconds: pendingTtlMs / 1000, now: this.#now },
    )
    const url = new URL('/oidc/authorize', home.http[0])
    url.searchParams.set('client_id', this.opts.key.nodeId)
    url.searchParams.set('request', request)
    return { location: url.toString(), binding }
  }

  /** Finishes the flow: the visitor's local account and a new session, and where to go next. */
  async callback(
    q: { state: string; code?: string | undefined; iss?: string | undefined; error?: string | undefined },
    binding: string | undefined,
    client: { userAgent: string; address: string },
  ): Promise<{
    account: AccountRecord
    token: string
    next: string
    session: Awaited<ReturnType<SessionService['create']>>['session']
  }> {
    const pending = this.#pending.get(q.state)
    this.#pending.delete(q.state)
    const refuse = (why: string): never => {
      this.opts.logger?.warn({ why, home: pending?.home }, 'federated sign-in refused')
      throw new ProblemError('sign_in_refused', { detail: why })
    }
    if (!pending || pending.expiresAt <= this.#now) return refuse('unknown or expired state')
    if (!binding || sha256(binding) !== pending.binding) return refuse('the sign-in was started in another browser')
    // RFC 9207: the answer must come from the home we sent the reader to (no mix-up).
    if (q.iss !== undefined && q.iss !== pending.home) return refuse('answer from another issuer')
    if (q.error || !q.code) return refuse(`the home library answered ${q.error ?? 'without a code'}`)
    const home = homeOf(this.opts.network, pending.home) ?? refuse('the home library is not an active member')
    const tokens = await this.#redeem(home, q.code, pending).catch((err: unknown) =>
      refuse(`token request failed: ${(err as Error).message}`),
    )
    const claims = await this.verifyIdToken(tokens.id_token, pending.home, pending.nonce).catch((err: unknown) =>
      refuse(`ID token refused: ${(err as Error).message}`),
    )
    const account = await this.opts.visitors.upsert({ nodeId: home.nodeId, name: home.name }, claims)
    const { token, id, session } = await this.opts.sessions.create(account.id, {
      kind: 'cookie',
      remember: false,
      userAgent: client.userAgent,
      address: client.address,
    })
    await this.opts.visitors.addVisit(id, {
      accountId: account.id,
      home: home.nodeId,
      accessToken: tokens.access_token,
      createdAt: this.#now,
      checkedAt: this.#now,
    })
    return { account, token, next: pending.next, session }
  }

  /** Ends a local session (and its visit, if it was a visitor's). */
  async endLocal(sessionId: string, accountId: string): Promise<void> {
    await this.opts.sessions.end(sessionId, accountId)
    await this.opts.visitors.endVisit(sessionId)
  }

  /** Checks an ID token from `homeId` for this node; throws on anything short of perfect. */
  async verifyIdToken(idToken: string, homeId: string, nonce: string): Promise<IdTokenClaims> {
    if (!homeOf(this.opts.network, homeId)) throw new Error('the home library is not an active member')
    const claims = await verifyNodeJwt(idToken, 'id', IdTokenClaims, {
      signer: homeId,
      audience: this.opts.key.nodeId,
      now: this.#now,
    })
    if (claims.nonce !== nonce) throw new Error('nonce does not match')
    const cutOff = this.#notBefore.get(homeId)
    if (cutOff !== undefined && claims.iat * 1000 < cutOff)
      throw new Error('issued before the home library was suspended')
    return claims
  }

  async #redeem(home: MemberEntry, code: string, pending: Pending): Promise<TokenResponse> {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: pending.redirectUri,
      code_verifier: pending.verifier,
      client_id: this.opts.key.nodeId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await signClientAssertion(this.opts.key, home.nodeId, this.#now),
    })
    const res = await this.#fetch(new URL('/oidc/token', home.http[0]), {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(homeTimeoutMs),
      redirect: 'error',
    })
    const json: unknown = await readCappedJson(res, maxAnswerBytes).catch(() => null)
    if (!res.ok) throw new Error(`HTTP ${res.status} ${JSON.stringify(json).slice(0, 200)}`)
    return TokenResponse.parse(json)
  }

  /**
   * Whether a visitor's session may be used now: only while the home is an active member. Runs
   * on every request, from memory, so a suspension or revocation bites as soon as the registry
   * entry arrives (every 3 s from the hub).
   */
  admits(account: AccountRecord): boolean {
    if (!account.home) return true
    if (homeOf(this.opts.network, account.home.nodeId)) return true
    this.#notBefore.set(account.home.nodeId, this.#now)
    return false
  }

  /**
   * One round of back-channel checks: every visit whose home says the grant no longer stands
   * (reader disabled, or ended the session at home) ends here. An unreachable home ends
   * nothing: a county server offline for an hour should not sign every visitor out. The visits
   * of one home are checked together ({@link maxIntrospectionBatch} a request).
   */
  async checkVisits(): Promise<{ checked: number; ended: number }> {
    let checked = 0
    let ended = 0
    const byHome = new Map<string, { home: MemberEntry; visits: Array<[string, Visit]> }>()
    for await (const [sessionId, visit] of this.opts.visitors.visits()) {
      const home = homeOf(this.opts.network, visit.home)
      checked++
      if (home && !(await this.opts.sessions.exists(sessionId))) {
        // Signed out here (or expired): tell the home, so the reader's list there is true.
        await this.#call(home, '/oidc/revoke', visit.accessToken).then(
          (res) => res.body?.cancel(),
          () => undefined,
        )
        await this.opts.visitors.endVisit(sessionId)
        ended++
        continue
      }
      if (!home) {
        await this.opts.sessions.end(sessionId, visit.accountId)
        await this.opts.visitors.endVisit(sessionId)
        ended++
        continue
      }
      const group = byHome.get(home.nodeId) ?? { home, visits: [] }
      group.visits.push([sessionId, visit])
      byHome.set(home.nodeId, group)
    }
    for (const { home, visits } of byHome.values()) {
      for (let i = 0; i < visits.length; i += maxIntrospectionBatch) {
        const part = visits.slice(i, i + maxIntrospectionBatch)
        const answers = await this.#standing(
          home,
          part.map(([, v]) => v.accessToken),
        )
        for (const [j, [sessionId, visit]] of part.entries()) {
          const active = answers[j]
          if (active === false) {
            await this.opts.sessions.end(sessionId, visit.accountId)
            await this.opts.visitors.endVisit(sessionId)
            ended++
          } else if (active) await this.opts.visitors.touch(sessionId, { ...visit, checkedAt: this.#now })
        }
      }
    }
    return { checked, ended }
  }

  /**
   * Whether each grant still stands, as its home says: true, false, or undefined when the home
   * could not be asked (unreachable: nothing ends). A home without batch introspection (an
   * older version: 404) is asked token by token, as before.
   */
  async #standing(home: MemberEntry, tokens: string[]): Promise<Array<boolean | undefined>> {
    const unknown = tokens.map(() => undefined)
    try {
      const res = await this.#call(home, '/oidc/introspect/batch', tokens.join(' '), 'tokens')
      if (res.status === 404) {
        await res.body?.cancel()
        const out: Array<boolean | undefined> = []
        for (const token of tokens)
          out.push(
            await this.#call(home, '/oidc/introspect', token)
              .then(async (one) => this.#read(home, one, IntrospectionResponse))
              .then((r) => (typeof r === 'boolean' ? r : r.active))
              .catch((err: unknown) => this.#unreachable(home, err)),
          )
        return out
      }
      const answer = await this.#read(home, res, IntrospectionBatchResponse)
      if (answer === false) return tokens.map(() => false)
      if (answer.results.length !== tokens.length) throw new Error('the batch answer does not match the tokens asked')
      return answer.results.map((r) => r.active)
    } catch (err) {
      this.#unreachable(home, err)
      return unknown
    }
  }

  /** A home's introspection answer: its body, or false when it refused to vouch. */
  async #read<T>(home: MemberEntry, res: Response, schema: { parse(v: unknown): T }): Promise<T | false> {
    const answer: unknown = await readCappedJson(res, maxAnswerBytes)
    if (res.ok) return schema.parse(answer)
    // The home answered and refused to vouch (this node's assertion refused, e.g. clocks
    // apart past README "Clocks"): it cannot say the reader still stands, so the visit ends.
    if (res.status === 400 || res.status === 401) {
      this.opts.logger?.warn(
        { home: home.nodeId, answer },
        'the home library refused a visit check; the visiting session ends',
      )
      return false
    }
    throw new Error(`HTTP ${res.status}`)
  }

  #unreachable(home: MemberEntry, err: unknown): undefined {
    this.opts.logger?.debug({ err, home: home.nodeId }, 'home unreachable for a visit check')
    return undefined
  }

  async #call(
    home: MemberEntry,
    path: '/oidc/introspect' | '/oidc/introspect/batch' | '/oidc/revoke',
    token: string,
    field: 'token' | 'tokens' = 'token',
  ): Promise<Response> {
    const body = new URLSearchParams({
      [field]: token,
      client_id: this.opts.key.nodeId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await signClientAssertion(this.opts.key, home.nodeId, this.#now),
    })
    // Any answer is the caller's to read: a refusal is not the same as an unreachable home.
    return this.#fetch(new URL(path, home.http[0]), {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(homeTimeoutMs),
      redirect: 'error',
    })
  }
}
