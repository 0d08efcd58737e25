/**
 * @module identity/directory-member
 * A library's side of "sign in with your phone number anywhere". Readers who agree are listed
 * in the hub's directory by a keyed hash of their phone number (HMAC-SHA-256 with the network's
 * directory key), never the number itself; the hub also gets this library's reader counts.
 * The hub pulls (it knows every member's address; members know the hub only as a peer): its
 * request is signed by the hub's key and carries the hub's HTTP address and the directory key.
 *
 * Owns `identity-directory-consent` (account id → when the reader agreed) and
 * `identity-directory-hub` (`hub` → the hub's address and key from its last pull).
 */
import { createHash, createHmac } from 'node:crypto'
import {
  DirectoryLookupResponse,
  DirectoryPullClaims,
  readCappedJson,
  normalizePhone,
  type DirectoryExport,
  type ReaderCounts,
} from '@shulin/protocol'
import type { NodeKey } from '@shulin/federation/identity'
import type { AccountStore } from '../accounts/store.js'
import type { SessionService } from '../sessions/service.js'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { etagMatches } from '../http/etag.js'
import type { Network } from './network.js'
import { verifyNodeJwt } from './tokens.js'
import { signClientAssertion } from './client-auth.js'

/** The directory's hash of a phone number: the same at every member, useless without the key. */
export function phoneHash(key: string, phone: string): string {
  return createHmac('sha256', Buffer.from(key, 'base64url')).update(`shulin-phone-v1:${phone}`).digest('base64url')
}

/** The entity tag of a member's answer to the hub's pull: a SHA-256 over the answer itself. */
export function directoryTag(answer: DirectoryExport): string {
  return `"${createHash('sha256').update(JSON.stringify(answer)).digest('base64url')}"`
}

interface HubDirectory {
  url: string
  key: string
}

const countsTtlMs = 10 * 60_000
const hubTimeoutMs = 10_000

export interface DirectoryMemberOptions {
  key: NodeKey
  storage: Storage
  accounts: AccountStore
  sessions: SessionService
  network: Network
  now?: (() => number) | undefined
  fetch?: typeof fetch | undefined
}

export class DirectoryMember {
  readonly #consent: Sublevel<{ at: number }>
  readonly #hub: Sublevel<HubDirectory>
  #counts: { at: number; value: ReaderCounts } | undefined

  constructor(private readonly opts: DirectoryMemberOptions) {
    this.#consent = opts.storage.sublevel('identity-directory-consent')
    this.#hub = opts.storage.sublevel('identity-directory-hub')
  }

  get #now(): number {
    return (this.opts.now ?? Date.now)()
  }

  async listed(accountId: string): Promise<boolean> {
    return (await this.#consent.get(accountId)) !== undefined
  }

  async setListed(accountId: string, listed: boolean): Promise<void> {
    await this.opts.storage.commit(
      [listed ? putOp(this.#consent, accountId, { at: this.#now }) : delOp(this.#consent, accountId)],
      { sync: true },
    )
  }

  /** Answers the hub's pull: checks it is the hub's, keeps the hub's address and key, exports. */
  async export(bearer: string): Promise<DirectoryExport> {
    const hub = this.opts.network.hubId()
    if (!hub || hub === this.opts.key.nodeId) throw new Error('this node has no hub')
    const claims = await verifyNodeJwt(bearer, 'hub', DirectoryPullClaims, {
      signer: hub,
      audience: this.opts.key.nodeId,
      now: this.#now,
    })
    const known = await this.#hub.get('hub')
    if (known?.url !== claims.hub_url || known.key !== claims.directory_key) {
      await this.opts.storage.commit([putOp(this.#hub, 'hub', { url: claims.hub_url, key: claims.directory_key })], {
        sync: true,
      })
    }
    const hashes: string[] = []
    for await (const [accountId] of this.#consent.iterator()) {
      const a = await this.opts.accounts.get(accountId)
      if (a?.kind === 'reader' && !a.home && a.status === 'active' && a.phone)
        hashes.push(phoneHash(claims.directory_key, a.phone))
    }
    return { hashes, counts: await this.counts() }
  }

  /**
   * Answers the hub's pull as HTTP would: the export and its entity tag, or only the tag when it
   * is the one the hub holds (`If-None-Match`) — most pulls change nothing, and a library's list
   * can be thousands of hashes each round. The tag is taken over the export itself, so any change
   * (a reader listed or withdrawn, a phone changed, new counts, a new directory key) changes it.
   * The pull is checked first: a stranger learns no tag.
   */
  async answerPull(
    bearer: string,
    ifNoneMatch?: string | undefined,
  ): Promise<{ etag: string; body: DirectoryExport } | { etag: string; notModified: true }> {
    const body = await this.export(bearer)
    const etag = directoryTag(body)
    return etagMatches(ifNoneMatch, etag) ? { etag, notModified: true } : { etag, body }
  }

  /** The hub's web address from its last signed pull (undefined before the first). */
  async hubUrl(): Promise<string | undefined> {
    return (await this.#hub.get('hub'))?.url
  }

  /** Drops the cached counts (a reader was verified at the desk): the hub's next pull counts afresh. */
  forgetCounts(): void {
    this.#counts = undefined
  }

  /** This library's own readers: registered, real-name verified, and with a live session. */
  async counts(): Promise<ReaderCounts> {
    if (this.#counts && this.#now - this.#counts.at < countsTtlMs) return this.#counts.value
    const own = new Map<string, boolean>()
    let cursor: string | undefined
    let realNameVerified = 0
    for (;;) {
      const page = await this.opts.accounts.list({ kind: 'reader', limit: 1000, cursor })
      for (const a of page.accounts) {
        if (a.home) continue
        own.set(a.id, a.status === 'active')
        if (a.realNameVerified) realNameVerified++
      }
      if (!page.nextCursor) break
      cursor = page.nextCursor
    }
    const active = [...(await this.opts.sessions.accountsSignedInAt(this.#now))].filter((id) => own.get(id))
    const value = { registered: own.size, realNameVerified, active: active.length }
    this.#counts = { at: this.#now, value }
    return value
  }

  /** The member libraries a phone number is listed at (asks the hub; nothing before its first pull). */
  async homesOf(phoneInput: string): Promise<string[]> {
    const phone = normalizePhone(phoneInput)
    const dir = await this.#hub.get('hub')
    if (!phone) return []
    const hub = this.opts.network.hubId()
    if (!dir || !hub) return []
    const body = new URLSearchParams({
      hash: phoneHash(dir.key, phone),
      client_id: this.opts.key.nodeId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await signClientAssertion(this.opts.key, hub, this.#now),
    })
    const res = await (this.opts.fetch ?? fetch)(new URL('/oidc/directory/lookup', dir.url), {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(hubTimeoutMs),
      redirect: 'error',
    })
    if (!res.ok) throw new Error(`the hub answered HTTP ${res.status}`)
    return DirectoryLookupResponse.parse(await readCappedJson(res, 64 * 1024)).nodes
  }
}
