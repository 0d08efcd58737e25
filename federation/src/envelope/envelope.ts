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
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import type { z } from 'zod'
import { SignedEnvelope, signingBytes, type EnvelopeType } from '@shulin/protocol'
import type { NodeKey } from '../identity/node-key.js'

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow. */
const ed25519Spki = Buffer.from('302a300506032b6570032100', 'hex')
const keys = new Map<string, KeyObject>()

/**
 * The signer's key, parsed once: a subscribed channel verifies 100k records of one publisher,
 * and building the key object each time cost more than the check itself.
 */
function signerKey(signer: string): KeyObject | undefined {
  let key = keys.get(signer)
  if (!key) {
    const raw = peerIdFromString(signer).publicKey?.raw
    if (!raw || raw.length !== 32) return undefined
    key = createPublicKey({ key: Buffer.concat([ed25519Spki, raw]), format: 'der', type: 'spki' })
    if (keys.size >= 4096) keys.delete(keys.keys().next().value as string)
    keys.set(signer, key)
  }
  return key
}

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError'
}

/** DER prefix of an Ed25519 PKCS #8 private key (RFC 8410); the 32-byte seed follows. */
const ed25519Pkcs8 = Buffer.from('302e020100300506032b657004220420', 'hex')
const privateKeys = new WeakMap<PrivateKey, KeyObject>()

/** The node's signing key, parsed once (a channel of 100k records is signed record by record). */
function signingKey(privateKey: PrivateKey): KeyObject | undefined {
  let key = privateKeys.get(privateKey)
  if (!key && privateKey.type === 'Ed25519' && privateKey.raw.length === 64) {
    key = createPrivateKey({
      key: Buffer.concat([ed25519Pkcs8, privateKey.raw.subarray(0, 32)]),
      format: 'der',
      type: 'pkcs8',
    })
    privateKeys.set(privateKey, key)
  }
  return key
}

export async function seal<T>(
  key: NodeKey | { privateKey: PrivateKey; nodeId: string },
  type: EnvelopeType,
  payload: T,
): Promise<SignedEnvelope> {
  const bytes = signingBytes(type, key.nodeId, payload)
  const k = signingKey(key.privateKey)
  const sig = k ? sign(null, bytes, k) : await key.privateKey.sign(bytes)
  return { type, signer: key.nodeId, payload, sig: Buffer.from(sig).toString('base64url') }
}

type Shaped = { env: SignedEnvelope; sig: Buffer }

/**
 * Envelopes found good lately: a channel record is checked when a peer's update would write it
 * (the catalog's rule) and again when the subscription takes it in; the second time is a
 * lookup, without even the canonical bytes. The key is the signature and a digest of the
 * envelope's JSON (type, signer, payload), so the same signature on anything else is checked
 * anew (and fails); the same content spelt in another key order is merely checked again.
 */
const recentlyGood = new Set<string>()
const recentlyGoodMax = 65_536
const goodKey = ({ env }: Shaped) =>
  `${env.sig}.${createHash('sha256')
    .update(encoded(() => JSON.stringify([env.type, env.signer, env.payload])))
    .digest('base64url')}`

/**
 * A payload JSON can carry but no signer can have signed: a lone surrogate (the canonical
 * encoding refuses it) or nesting deep enough to overflow the encoders' stack (a 4 MiB registry
 * answer holds a million `[`). Found by fuzzing: they escaped as a plain Error or a RangeError,
 * which the callers let through as a failure of the whole exchange, not a refusal of one object.
 */
function encoded<T>(encode: () => T): T {
  try {
    return encode()
  } catch {
    throw new EnvelopeError('payload cannot be encoded')
  }
}
function rememberGood(k: string): void {
  if (recentlyGood.size >= recentlyGoodMax) recentlyGood.delete(recentlyGood.values().next().value as string)
  recentlyGood.add(k)
}

/** The cheap checks: shape, type, signer, the signature's spelling. */
function shape(input: unknown, expect: { type: EnvelopeType; signer?: string }): Shaped {
  const parsed = SignedEnvelope.safeParse(input)
  if (!parsed.success) throw new EnvelopeError('malformed envelope')
  const env = parsed.data
  if (env.type !== expect.type) throw new EnvelopeError(`expected ${expect.type}, got ${env.type}`)
  if (expect.signer && env.signer !== expect.signer) throw new EnvelopeError('signed by someone else')
  // Base64 decoders ignore the spare bits of the last character, so several spellings decode to
  // the same signature; only the canonical one is accepted, making an envelope's text unique.
  const sig = Buffer.from(env.sig, 'base64url')
  if (sig.length !== 64 || sig.toString('base64url') !== env.sig) throw new EnvelopeError('bad signature')
  return { env, sig }
}

/** What the signature is checked with: the signer's key and the canonical bytes. */
function material({ env }: Shaped): { key: KeyObject; bytes: Uint8Array } {
  let key: KeyObject | undefined
  try {
    key = signerKey(env.signer)
  } catch {
    key = undefined
  }
  if (!key) throw new EnvelopeError('bad signature')
  return { key, bytes: encoded(() => signingBytes(env.type, env.signer, env.payload)) }
}

function payloadOf<S extends z.ZodType>(env: SignedEnvelope, schema: S): z.output<S> {
  const payload = schema.safeParse(env.payload)
  if (!payload.success) throw new EnvelopeError('payload does not match its type')
  return payload.data
}

/**
 * Checks an envelope (of unknown origin) and returns its payload, parsed by `schema`. Throws
 * {@link EnvelopeError} when anything is off: shape, type, signer, signature or payload.
 */
export function open<S extends z.ZodType>(
  input: unknown,
  schema: S,
  expect: { type: EnvelopeType; signer?: string },
): z.output<S> {
  const shaped = shape(input, expect)
  const k = goodKey(shaped)
  if (!recentlyGood.has(k)) {
    const { key, bytes } = material(shaped)
    if (!verify(null, bytes, key, shaped.sig)) throw new EnvelopeError('bad signature')
    rememberGood(k)
  }
  return payloadOf(shaped.env, schema)
}

/**
 * {@link open}, with the signature checked on libuv's thread pool: many envelopes opened at
 * once (a shard of a channel's records) are checked on every core, off the event loop.
 */
export async function openAsync<S extends z.ZodType>(
  input: unknown,
  schema: S,
  expect: { type: EnvelopeType; signer?: string },
): Promise<z.output<S>> {
  const shaped = shape(input, expect)
  const k = goodKey(shaped)
  if (!recentlyGood.has(k)) {
    const { key, bytes } = material(shaped)
    const ok = await new Promise<boolean>((resolve) =>
      verify(null, bytes, key, shaped.sig, (err, valid) => resolve(!err && valid)),
    )
    if (!ok) throw new EnvelopeError('bad signature')
    rememberGood(k)
  }
  return payloadOf(shaped.env, schema)
}
