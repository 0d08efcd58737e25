/**
 * @module envelope
 * Signs and checks envelopes: Ed25519 over the canonical bytes of `@shulin/protocol`. The
 * signer's public key is its node id, so checking needs nothing but the envelope.
 *
 * @example
 * ```ts
 * const env = await seal(key, 'shulin/member', entry)
 * const entry2 = open(env, MemberEntry, { type: 'shulin/member', signer: hubId })
 * ```
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import type { z } from 'zod'
import { SignedEnvelope, signingBytes, type EnvelopeType } from '@shulin/protocol'
import type { NodeKey } from '../identity/node-key.js'

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError'
}

export async function seal<T>(key: NodeKey | { privateKey: PrivateKey; nodeId: string }, type: EnvelopeType, payload: T): Promise<SignedEnvelope> {
  const sig = await key.privateKey.sign(signingBytes(type, key.nodeId, payload))
  return { type, signer: key.nodeId, payload, sig: Buffer.from(sig).toString('base64url') }
}

/**
 * Checks an envelope (of unknown origin) and returns its payload, parsed by `schema`. Throws
 * {@link EnvelopeError} when anything is off: shape, type, signer, signature or payload.
 */
export function open<S extends z.ZodType>(input: unknown, schema: S, expect: { type: EnvelopeType; signer?: string }): z.output<S> {
  const parsed = SignedEnvelope.safeParse(input)
  if (!parsed.success) throw new EnvelopeError('malformed envelope')
  const env = parsed.data
  if (env.type !== expect.type) throw new EnvelopeError(`expected ${expect.type}, got ${env.type}`)
  if (expect.signer && env.signer !== expect.signer) throw new EnvelopeError('signed by someone else')
  // Base64 decoders ignore the spare bits of the last character, so several spellings decode to
  // the same signature; only the canonical one is accepted, making an envelope's text unique.
  const sig = Buffer.from(env.sig, 'base64url')
  if (sig.length !== 64 || sig.toString('base64url') !== env.sig) throw new EnvelopeError('bad signature')
  let ok = false
  try {
    const publicKey = peerIdFromString(env.signer).publicKey
    ok = !!publicKey && publicKey.verify(signingBytes(env.type, env.signer, env.payload), sig) === true
  } catch {
    ok = false
  }
  if (!ok) throw new EnvelopeError('bad signature')
  const payload = schema.safeParse(env.payload)
  if (!payload.success) throw new EnvelopeError('payload does not match its type')
  return payload.data
}
