/**
 * @module identity/provider
 * This node as the OpenID-Connect-shaped provider for its own readers: authorization codes
 * with PKCE (S256 only), single-use and short-lived; ID tokens signed with the node key for
 * the visiting node as audience; a grant per (reader, visiting node) whose opaque access token
 * lets the visiting node ask (RFC 7662 introspection) whether the reader still stands.
 *
 * Owns the `identity-grants` sublevel: `g:<reader>!<grant>` → grant, `t:<token hash>` →
 * `<reader>!<grant>`. Codes and seen `jti`s live in memory: they last a minute or two, and a
 * restart that forgets them only makes a reader click again.
 */
import { createHash, randomBytes } from 'node:crypto'
import {
  IdTokenClaims,
  IntrospectionBatchRequest,
  IntrospectionRequest,
  type IntrospectionBatchResponse,
  RequestObjectClaims,
  TokenRequest,
  type IntrospectionResponse,
  type TokenResponse,
} from '@shulin/protocol'
import type { NodeKey } from '@shulin/federation/identity'
import type { AccountRecord, AccountStore } from '../accounts/store.js'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { clientOf, type Network } from './network.js'
import type { Logger } from '../logger.js'
import { TokenError, replayHorizonMs, signNodeJwt, verifyNodeJwt } from './tokens.js'
import { ReplayGuard, verifyClient } from './client-auth.js'

export const codeTtlMs = 60_000
export const idTokenTtlSeconds = 300
/** A grant lasts as long as the longest visiting session ("keep me signed in"). */
export const grantTtlMs = 14 * 86_400_000
const maxPendingCodes = 10_000

interface CodeRecord {
  client: string
  redirectUri: string
  challenge: string
  nonce: string
  scope: string
  readerId: string
  authTime: number
  expiresAt: number
}

export interface Grant {
  id: string
  readerId: string
  client: string
  tokenHash: string
  createdAt: number
  expiresAt: number
  lastCheckedAt: number | null
}

/** An OAuth error (RFC 6749 §5.2), answered as `{ error, error_description }`. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError'
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'access_denied',
    message: string,
  ) {
    super(message)
  }
}

export type AuthorizeOutcome = { kind: 'sign-in' } | { kind: 'redirect'; location: string }

export interface ProviderOptions {
  key: NodeKey
  storage: Storage
  accounts: AccountStore
  network: Network
  /**
   * The hub's web address as the hub last signed it to this node (its directory pull). The hub
   * has no registry entry, so this is the one origin its portal's sign-in redirects may use.
   */
  hubUrl?: () => Promise<string | undefined>
  now?: (() => number) | undefined
  logger?: Logger | undefined
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url')
const onlyPath = '/oidc/callback'

export class IdentityProvider {
  readonly #codes = new Map<string, CodeRecord>()
  readonly #grants: Sublevel<Grant | string>
  readonly #requests: ReplayGuard
  readonly #assertions: ReplayGuard

  constructor(private readonly opts: ProviderOptions) {
    this.#grants = opts.storage.sublevel<Grant | string>('identity-grants')
    this.#requests = new ReplayGuard(() => this.#now)
    this.#assertions = new ReplayGuard(() => this.#now)
  }

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  /** Checks an authorization request; a reader who is not signed in here is sent to sign in first. */
  async authorize(clientId: string, request: string, reader: AccountRecord | null): Promise<AuthorizeOutcome> {
    const client = clientOf(this.opts.network, clientId)
    if (!client) throw new OAuthError('unauthorized_client', 'the client is not an active member of the network')
    let claims: RequestObjectClaims
    try {
      claims = await verifyNodeJwt(request, 'request', RequestObjectClaims, {
        signer: clientId,
        audience: this.opts.network.selfId,
        now: this.#now,
      })
    } catch (err) {
      this.#noteSkew(err, clientId)
      throw new OAuthError('invalid_request', `request object refused: ${(err as TokenError).message}`)
    }
    if (claims.client_id !== clientId)
      throw new OAuthError('invalid_request', 'client_id differs from the request object')
    const redirect = new URL(claims.redirect_uri)
    // A signed request is not enough: a hub fooled by a forged Host header signs one too. The
    // code goes only to an origin the network vouches for (registry entry, hub's signed pull).
    const known = client.http ?? (this.opts.hubUrl ? [await this.opts.hubUrl()].filter((u): u is string => !!u) : null)
    const origins = known?.map((h) => new URL(h).origin)
    if (origins?.length === 0)
      throw new OAuthError(
        'invalid_request',
        'the hub’s web address is not known here yet (it comes with the hub’s next directory pull, within a minute); try again shortly',
      )
    if (redirect.pathname !== onlyPath || redirect.search || (origins && !origins.includes(redirect.origin))) {
      throw new OAuthError(
        'invalid_request',
        'redirect_uri is not the callback at an address the network holds for the client',
      )
    }
    if (!reader) return { kind: 'sign-in' }
    const url = new URL(claims.redirect_uri)
    url.searchParams.set('state', claims.state)
    url.searchParams.set('iss', this.opts.network.selfId)
    if (reader.kind !== 'reader' || reader.home || reader.status !== 'active') {
      // Staff accounts and visitors from elsewhere do not travel: a reader's home is where they registered.
      url.searchParams.set('error', 'access_denied')
      return { kind: 'redirect', location: url.toString() }
    }
    if (!this.#requests.first(claims.jti, replayHorizonMs('request', claims, this.#now)))
      throw new OAuthError('invalid_request', 'this request object was already used')
    if (this.#codes.size >= maxPendingCodes) this.#sweepCodes()
    const code = randomBytes(32).toString('base64url')
    this.#codes.set(code, {
      client: clientId,
      redirectUri: claims.redirect_uri,
      challenge: claims.code_challenge,
      nonce: claims.nonce,
      scope: claims.scope,
      readerId: reader.id,
      authTime: this.#now,
      expiresAt: this.#now + codeTtlMs,
    })
    url.searchParams.set('code', code)
    return { kind: 'redirect', location: url.toString() }
  }

  #sweepCodes(): void {
    for (const [code, rec] of this.#codes) if (rec.expiresAt <= this.#now) this.#codes.delete(code)
  }

  /** The token endpoint: one code, once, for the client it was issued to, with the PKCE verifier. */
  async token(form: Record<string, string>): Promise<TokenResponse> {
    const parsed = TokenRequest.safeParse(form)
    if (!parsed.success) throw new OAuthError('invalid_request', 'malformed token request')
    const req = parsed.data
    await this.#authenticate(req.client_id, req.client_assertion)
    const code = this.#codes.get(req.code)
    // Single use: the code goes at its first presentation, whatever happens next.
    this.#codes.delete(req.code)
    if (!code || code.expiresAt <= this.#now) throw new OAuthError('invalid_grant', 'unknown, used or expired code')
    if (code.client !== req.client_id || code.redirectUri !== req.redirect_uri)
      throw new OAuthError('invalid_grant', 'the code was issued to another client or redirect_uri')
    if (sha256(req.code_verifier) !== code.challenge)
      throw new OAuthError('invalid_grant', 'PKCE verifier does not match')
    const reader = await this.opts.accounts.get(code.readerId)
    if (!reader || reader.status !== 'active') throw new OAuthError('invalid_grant', 'the reader is no longer active')
    const accessToken = randomBytes(32).toString('base64url')
    const grant: Grant = {
      id: randomBytes(12).toString('base64url'),
      readerId: reader.id,
      client: req.client_id,
      tokenHash: sha256(accessToken),
      createdAt: this.#now,
      expiresAt: this.#now + grantTtlMs,
      lastCheckedAt: null,
    }
    const ref = `${reader.id}!${grant.id}`
    await this.opts.storage.commit(
      [putOp(this.#grants, `g:${ref}`, grant), putOp(this.#grants, `t:${grant.tokenHash}`, ref)],
      { sync: true },
    )
    const claims: Omit<IdTokenClaims, 'iss' | 'aud' | 'exp' | 'iat'> = {
      sub: reader.id,
      nonce: code.nonce,
      auth_time: Math.floor(code.authTime / 1000),
      real_name_verified: reader.realNameVerified,
      ...(reader.name ? { name: reader.name } : {}),
      ...(reader.username || reader.cardNo ? { preferred_username: (reader.username ?? reader.cardNo)! } : {}),
    }
    const idToken = await signNodeJwt(this.opts.key, 'id', claims, {
      audience: req.client_id,
      ttlSeconds: idTokenTtlSeconds,
      now: this.#now,
    })
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: Math.floor(grantTtlMs / 1000),
      id_token: idToken,
      scope: code.scope,
    }
  }

  async #authenticate(clientId: string, assertion: string): Promise<void> {
    if (!clientOf(this.opts.network, clientId))
      throw new OAuthError('invalid_client', 'the client is not an active member of the network')
    try {
      await verifyClient(assertion, clientId, this.opts.network.selfId, this.#assertions, this.#now)
    } catch (err) {
      this.#noteSkew(err, clientId)
      throw new OAuthError('invalid_client', `client assertion refused: ${(err as Error).message}`)
    }
  }

  /** A peer's token refused for its times: the operators of both nodes need to see it. */
  #noteSkew(err: unknown, client: string): void {
    if (err instanceof TokenError && err.reason === 'clock_skew')
      this.opts.logger?.warn({ client, why: err.message }, 'clock skew: a sign-in from another library refused')
  }

  /** RFC 7662: whether the grant behind an access token still stands, asked by the client it was issued to. */
  async introspect(form: Record<string, string>): Promise<IntrospectionResponse> {
    const parsed = IntrospectionRequest.safeParse(form)
    if (!parsed.success) throw new OAuthError('invalid_request', 'malformed introspection request')
    await this.#authenticate(parsed.data.client_id, parsed.data.client_assertion)
    return this.#standing(parsed.data.token, parsed.data.client_id)
  }

  /**
   * Batch introspection ({@link IntrospectionBatchRequest}): one client assertion checked for up
   * to 200 tokens — a visiting library's readers from this home, in one round.
   */
  async introspectBatch(form: Record<string, string>): Promise<IntrospectionBatchResponse> {
    const parsed = IntrospectionBatchRequest.safeParse(form)
    if (!parsed.success) throw new OAuthError('invalid_request', 'malformed batch introspection request')
    await this.#authenticate(parsed.data.client_id, parsed.data.client_assertion)
    const results: IntrospectionResponse[] = []
    for (const token of parsed.data.tokens) results.push(await this.#standing(token, parsed.data.client_id))
    return { results }
  }

  async #standing(token: string, client: string): Promise<IntrospectionResponse> {
    const grant = await this.#grantOf(token)
    if (!grant || grant.client !== client || grant.expiresAt <= this.#now) return { active: false }
    const reader = await this.opts.accounts.get(grant.readerId)
    if (!reader || reader.status !== 'active') {
      // Disabling a reader ends every session, here and elsewhere: the grant goes with them.
      await this.endGrants(grant.readerId, grant.id)
      return { active: false }
    }
    await this.#grants.put(`g:${grant.readerId}!${grant.id}`, { ...grant, lastCheckedAt: this.#now })
    return {
      active: true,
      sub: grant.readerId,
      client_id: grant.client,
      iss: this.opts.network.selfId,
      exp: Math.floor(grant.expiresAt / 1000),
    }
  }

  /** RFC 7009: the client signed the visitor out, so the grant ends here too. Unknown tokens are no error. */
  async revoke(form: Record<string, string>): Promise<void> {
    const parsed = IntrospectionRequest.safeParse(form)
    if (!parsed.success) throw new OAuthError('invalid_request', 'malformed revocation request')
    await this.#authenticate(parsed.data.client_id, parsed.data.client_assertion)
    const grant = await this.#grantOf(parsed.data.token)
    if (grant?.client === parsed.data.client_id) await this.endGrants(grant.readerId, grant.id)
  }

  async #grantOf(token: string): Promise<Grant | undefined> {
    const ref = await this.#grants.get(`t:${sha256(token)}`)
    return typeof ref === 'string' ? ((await this.#grants.get(`g:${ref}`)) as Grant | undefined) : undefined
  }

  /** Where a reader of this node is signed in elsewhere. */
  async grantsOf(readerId: string): Promise<Grant[]> {
    const out: Grant[] = []
    for await (const [, g] of this.#grants.iterator({ gt: `g:${readerId}!`, lt: `g:${readerId}!\uffff` })) {
      if (typeof g !== 'string' && g.expiresAt > this.#now) out.push(g)
    }
    return out
  }

  /** Ends one grant (the visiting node learns it at its next check) — or all of a reader's. */
  async endGrants(readerId: string, grantId?: string): Promise<number> {
    const ops = []
    for (const g of await this.grantsOf(readerId)) {
      if (grantId && g.id !== grantId) continue
      ops.push(delOp(this.#grants, `g:${readerId}!${g.id}`), delOp(this.#grants, `t:${g.tokenHash}`))
    }
    if (ops.length) await this.opts.storage.commit(ops, { sync: true })
    return ops.length / 2
  }
}
