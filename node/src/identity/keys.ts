/**
 * @module identity/keys
 * A node's Ed25519 key as JOSE sees it. The signing key is the node key itself (the one its
 * node id is made of), so the public key every other node needs to check a token is read from
 * the node id in the hub-signed registry — never from a token's own `jku`, `jwk` or `x5u`.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeKey } from '@shulin/federation/identity'

/** An OKP Ed25519 public JWK (RFC 8037), `kid` = the node id. */
export interface NodeJwk {
  kty: 'OKP'
  crv: 'Ed25519'
  x: string
  kid: string
  alg: 'EdDSA'
  use: 'sig'
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

/** The raw 32-byte Ed25519 public key a node id carries, or `null` for anything else. */
export function publicKeyBytesOf(nodeId: string): Uint8Array | null {
  try {
    const key = peerIdFromString(nodeId).publicKey
    return key?.type === 'Ed25519' ? key.raw : null
  } catch {
    return null
  }
}

export function jwkOf(nodeId: string): NodeJwk | null {
  const raw = publicKeyBytesOf(nodeId)
  return raw ? { kty: 'OKP', crv: 'Ed25519', x: b64(raw), kid: nodeId, alg: 'EdDSA', use: 'sig' } : null
}

const publicCache = new Map<string, KeyObject>()

/** The verification key of a node id (cached: ids are immutable keys). */
export function publicKeyOf(nodeId: string): KeyObject | null {
  let key = publicCache.get(nodeId)
  if (!key) {
    const jwk = jwkOf(nodeId)
    if (!jwk) return null
    key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' })
    if (publicCache.size > 10_000) publicCache.clear()
    publicCache.set(nodeId, key)
  }
  return key
}

/** The node's private key as a KeyObject for jose (libp2p keeps seed ‖ public key, 64 bytes). */
export function signingKeyOf(key: NodeKey): KeyObject {
  const raw = key.privateKey.raw
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: b64(raw.subarray(0, 32)), x: b64(raw.subarray(32)) },
    format: 'jwk',
  })
}
