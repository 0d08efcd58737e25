/**
 * @module stats/sushi-credentials
 * The credentials a COUNTER-SUSHI harvester sends on every request: `customer_id` (this node,
 * the institution), `requestor_id` and `api_key`. Harvesters (a consortium's usage service, a
 * library's ERM) keep no session cookie and no bearer token, so staff make one credential per
 * harvester: in the console or with `shulin sushi credentials create --name NAME`. The key is
 * shown once; only its SHA-256 is kept, so a copy of the database cannot be used to harvest.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { getOrUndefined, type Storage, type Sublevel } from '../storage/db.js'

export const SushiCredentialName = z.string().trim().min(1).max(100)

/** What a harvester is configured with (the key is never shown again). */
export const SushiCredentialAnswer = z.strictObject({
  customer_id: z.string(),
  requestor_id: z.string(),
  api_key: z.string(),
})
export type SushiCredentialAnswer = z.infer<typeof SushiCredentialAnswer>

/** One credential as the console lists it (no key). */
export const SushiCredentialView = z.strictObject({
  requestor_id: z.string(),
  customer_id: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  createdBy: z.string().optional(),
  lastUsedAt: z.iso.datetime().optional(),
})
export type SushiCredentialView = z.infer<typeof SushiCredentialView>

interface StoredCredential extends SushiCredentialView {
  keyHash: string
}

const hash = (key: string) => createHash('sha256').update(key, 'utf8').digest()

/** Why a harvester's credentials were refused, as COUNTER's exceptions name it. */
export type SushiAuthFailure = 'unknown-requestor' | 'bad-key'

export class SushiCredentials {
  readonly #db: Sublevel<StoredCredential>

  constructor(
    storage: Storage,
    private readonly customerId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#db = storage.sublevel<StoredCredential>('sushi-credentials')
  }

  async create(name: string, createdBy?: string): Promise<SushiCredentialAnswer> {
    const requestorId = randomUUID()
    // 32 random bytes: a key that cannot be guessed; only its hash is written.
    const apiKey = randomBytes(32).toString('base64url')
    await this.#db.put(requestorId, {
      requestor_id: requestorId,
      customer_id: this.customerId,
      name: SushiCredentialName.parse(name),
      createdAt: new Date(this.now()).toISOString(),
      ...(createdBy ? { createdBy } : {}),
      keyHash: hash(apiKey).toString('hex'),
    })
    return { customer_id: this.customerId, requestor_id: requestorId, api_key: apiKey }
  }

  async list(): Promise<SushiCredentialView[]> {
    const out: SushiCredentialView[] = []
    for await (const value of this.#db.values()) {
      const { keyHash: _hidden, ...view } = value
      out.push(view)
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  }

  /** Removes a credential; its harvester is refused from the next request on. */
  async revoke(requestorId: string): Promise<boolean> {
    if (!(await getOrUndefined(this.#db, requestorId))) return false
    await this.#db.del(requestorId)
    return true
  }

  /** The credential a harvester's `requestor_id` and `api_key` name, or why not. */
  async verify(
    requestorId: string | undefined,
    apiKey: string | undefined,
  ): Promise<{ ok: true; credential: SushiCredentialView } | { ok: false; why: SushiAuthFailure }> {
    const stored = requestorId ? await getOrUndefined(this.#db, requestorId) : undefined
    if (!stored) return { ok: false, why: 'unknown-requestor' }
    const given = hash(apiKey ?? '')
    if (!timingSafeEqual(given, Buffer.from(stored.keyHash, 'hex'))) return { ok: false, why: 'bad-key' }
    const { keyHash: _hidden, ...view } = stored
    // The console shows when each harvester last came; at most one write an hour per credential.
    const last = stored.lastUsedAt ? Date.parse(stored.lastUsedAt) : 0
    if (this.now() - last > 3_600_000)
      await this.#db.put(requestorId!, { ...stored, lastUsedAt: new Date(this.now()).toISOString() })
    return { ok: true, credential: view }
  }
}
