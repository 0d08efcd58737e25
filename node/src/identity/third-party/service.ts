/**
 * @module identity/third-party/service
 * Signing in with a third-party account (QQ, Weibo, WeChat…) through `openid-client`:
 * authorization code with PKCE S256, state and nonce, the ID token checked by the library
 * against the provider's published keys (or, for plain OAuth 2 providers, the user-info answer).
 * A third-party account is linked to one reader: the one signed in when the flow started, or
 * else a new quick account (a card number, no password, no phone).
 *
 * Owns `identity-external`: `<provider>:<subject>` → account id, `a:<account>:<provider>` → subject.
 */
import { randomBytes, createHash } from 'node:crypto'
import type * as Oidc from 'openid-client'
import { newAccountRecord, type AccountRecord, type AccountStore } from '../../accounts/store.js'
import { putOp, type Storage, type Sublevel } from '../../storage/db.js'
import { ProblemError } from '../../http/problem.js'
import type { Logger } from '../../logger.js'
import type { ProviderConfig } from './providers.js'

const pendingTtlMs = 10 * 60_000
const maxPending = 10_000

interface Pending {
  provider: string
  verifier: string
  nonce: string
  redirectUri: string
  next: string
  /** The reader who asked to link this account (signed in when the flow began). */
  linkTo: string | null
  binding: string
  expiresAt: number
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url')
// openid-client loads with the first third-party sign-in: a library that offers none never pays for it.
let loaded: Promise<typeof Oidc> | undefined
const openidClient = () => (loaded ??= import('openid-client'))

export interface ThirdPartyOptions {
  providers: ProviderConfig[]
  storage: Storage
  accounts: AccountStore
  logger?: Logger
  now?: () => number
}

export class ThirdPartySignIn {
  readonly #pending = new Map<string, Pending>()
  readonly #configs = new Map<string, Promise<Oidc.Configuration>>()
  readonly #links: Sublevel<string>

  constructor(private readonly opts: ThirdPartyOptions) {
    this.#links = opts.storage.sublevel<string>('identity-external')
  }

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  list(): Array<{ id: string; name: string }> {
    return this.opts.providers.map((p) => ({ id: p.id, name: p.name }))
  }

  #provider(id: string): ProviderConfig {
    const p = this.opts.providers.find((x) => x.id === id)
    if (!p) throw new ProblemError('not_found')
    return p
  }

  /** The provider's configuration, discovered once (a failed discovery is tried again next time). */
  #config(p: ProviderConfig): Promise<Oidc.Configuration> {
    let c = this.#configs.get(p.id)
    if (!c) {
      c = openidClient().then((oidc) => this.#discover(oidc, p))
      c.catch(() => this.#configs.delete(p.id))
      this.#configs.set(p.id, c)
    }
    return c
  }

  /** OpenID providers by discovery; OAuth 2 ones from the endpoints the file gives. */
  async #discover(oidc: typeof Oidc, p: ProviderConfig): Promise<Oidc.Configuration> {
    const execute = p.allowHttp ? [oidc.allowInsecureRequests] : []
    if (!p.endpoints) return oidc.discovery(new URL(p.issuer), p.clientId, p.clientSecret, undefined, { execute })
    const server = {
      issuer: p.issuer,
      authorization_endpoint: p.endpoints.authorization,
      token_endpoint: p.endpoints.token,
      userinfo_endpoint: p.endpoints.userinfo,
    }
    const config = new oidc.Configuration(server, p.clientId, p.clientSecret)
    for (const fn of execute) fn(config)
    return config
  }

  async start(
    providerId: string,
    redirectUri: string,
    next: string,
    linkTo: AccountRecord | null,
  ): Promise<{ location: string; binding: string }> {
    const p = this.#provider(providerId)
    const config = await this.#config(p).catch((err: unknown) => {
      this.opts.logger?.warn({ err, provider: p.id }, 'third-party provider unreachable')
      throw new ProblemError('peer_unreachable')
    })
    const oidc = await openidClient()
    if (this.#pending.size >= maxPending)
      for (const [k, v] of this.#pending) if (v.expiresAt <= this.#now) this.#pending.delete(k)
    const state = oidc.randomState()
    const nonce = oidc.randomNonce()
    const verifier = oidc.randomPKCECodeVerifier()
    const binding = randomBytes(32).toString('base64url')
    const canLink = linkTo && linkTo.kind === 'reader' && !linkTo.home
    this.#pending.set(state, {
      provider: p.id,
      verifier,
      nonce,
      redirectUri,
      next,
      linkTo: canLink ? linkTo.id : null,
      binding: sha256(binding),
      expiresAt: this.#now + pendingTtlMs,
    })
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: p.scope,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...(p.endpoints ? {} : { nonce }),
    })
    return { location: url.toString(), binding }
  }

  /** Finishes the flow: the reader this third-party account belongs to (linked or created now). */
  async callback(
    query: URLSearchParams,
    binding: string | undefined,
  ): Promise<{ account: AccountRecord; next: string }> {
    const state = query.get('state') ?? ''
    const pending = this.#pending.get(state)
    this.#pending.delete(state)
    if (!pending || pending.expiresAt <= this.#now || !binding || sha256(binding) !== pending.binding)
      throw new ProblemError('sign_in_refused', { detail: 'unknown or expired state' })
    const p = this.#provider(pending.provider)
    const config = await this.#config(p)
    const oidc = await openidClient()
    const current = new URL(pending.redirectUri)
    current.search = query.toString()
    let subject: string
    let name: string | null
    try {
      const tokens = await oidc.authorizationCodeGrant(
        config,
        current,
        {
          pkceCodeVerifier: pending.verifier,
          expectedState: state,
          ...(p.endpoints ? {} : { expectedNonce: pending.nonce, idTokenExpected: true }),
        },
        { redirect_uri: pending.redirectUri },
      )
      let claims: Record<string, unknown> = p.endpoints
        ? await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck)
        : (tokens.claims() ?? {})
      subject = String(claims[p.subjectClaim] ?? '')
      // Providers often keep profile claims out of the ID token: the user-info answer has them (for the same subject).
      if (!p.endpoints && !claims.name && subject && config.serverMetadata().userinfo_endpoint)
        claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, subject)), ...claims }
      const n = claims.name ?? claims.nickname ?? claims.preferred_username
      name = typeof n === 'string' ? n.slice(0, 64) : null
    } catch (err) {
      this.opts.logger?.warn({ err, provider: p.id }, 'third-party sign-in refused')
      throw new ProblemError('sign_in_refused', { detail: (err as Error).message })
    }
    if (!subject || subject.length > 200)
      throw new ProblemError('sign_in_refused', { detail: 'the provider named nobody' })
    const account = await this.#accountFor(p.id, subject, name, pending.linkTo)
    if (account.status !== 'active') throw new ProblemError('account_disabled')
    return { account, next: pending.next }
  }

  async #accountFor(
    provider: string,
    subject: string,
    name: string | null,
    linkTo: string | null,
  ): Promise<AccountRecord> {
    const key = `${provider}:${subject}`
    const linked = await this.#links.get(key)
    const existing = linked ? await this.opts.accounts.get(linked) : undefined
    // One third-party account, one reader: linking it to a second would hand that reader the first one's shelf.
    if (existing && linkTo && existing.id !== linkTo)
      throw new ProblemError('conflict', { detail: 'this account is already linked to another reader' })
    if (existing) return existing
    const target = linkTo ? await this.opts.accounts.get(linkTo) : undefined
    const account =
      target ??
      (await this.opts.accounts.create(async ({ nextCardNo }) =>
        newAccountRecord(
          { id: this.opts.accounts.newId(), kind: 'reader', source: 'register', cardNo: await nextCardNo(), name },
          new Date(this.#now).toISOString(),
        ),
      ))
    await this.opts.storage.commit(
      [putOp(this.#links, key, account.id), putOp(this.#links, `a:${account.id}:${provider}`, subject)],
      { sync: true },
    )
    return account
  }

  /** The providers linked to an account. */
  async linkedTo(accountId: string): Promise<string[]> {
    const out: string[] = []
    const prefix = `a:${accountId}:`
    for await (const k of this.#links.keys({ gt: prefix, lt: prefix + '\uffff' })) out.push(k.slice(prefix.length))
    return out
  }
}
