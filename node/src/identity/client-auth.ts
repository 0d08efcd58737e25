/**
 * @module identity/client-auth
 * A node proves who it is to another node's token and introspection endpoints with a client
 * assertion (RFC 7523 `private_key_jwt`) signed by its node key; each assertion works once.
 */
import { z } from 'zod'
import type { NodeKey } from '@shulin/federation/identity'
import { NodeId } from '@shulin/protocol'
import { replayHorizonMs, signNodeJwt, verifyNodeJwt } from './tokens.js'

const ClientClaims = z.object({ iss: NodeId, sub: NodeId, jti: z.string().min(16).max(64), exp: z.number() })

/** Remembers ids (`jti`) until they expire, so a captured token cannot be replayed. */
export class ReplayGuard {
  readonly #seen = new Map<string, number>()
  constructor(
    private readonly now: () => number,
    private readonly max = 50_000,
  ) {}

  /** `true` the first time an id is seen (before `until`), `false` after. */
  first(id: string, until: number): boolean {
    const now = this.now()
    if (this.#seen.size >= this.max) for (const [k, t] of this.#seen) if (t <= now) this.#seen.delete(k)
    if (this.#seen.has(id)) return false
    this.#seen.set(id, until)
    return true
  }
}

export function signClientAssertion(key: NodeKey, audience: string, now?: number): Promise<string> {
  return signNodeJwt(key, 'client', { sub: key.nodeId }, { audience, ttlSeconds: 60, now })
}

export async function verifyClient(
  assertion: string,
  clientId: string,
  audience: string,
  replay: ReplayGuard,
  now: number,
): Promise<void> {
  const claims = await verifyNodeJwt(assertion, 'client', ClientClaims, { signer: clientId, audience, now })
  if (claims.sub !== clientId) throw new Error('sub is not the client')
  if (!replay.first(claims.jti, replayHorizonMs('client', claims, now))) throw new Error('assertion already used')
}
