/**
 * @module identity/tokens
 * Every JWT the identity flow signs or checks, in one place. Three kinds, each with its own
 * `typ` so one can never pass for another: ID tokens (home → visiting node), request objects
 * (RFC 9101, visiting node → home, carrying redirect_uri, PKCE, state and nonce) and client
 * assertions (RFC 7523 `private_key_jwt`, visiting node → home's token endpoint) and the hub's
 * directory pulls (hub → member).
 *
 * Checks follow RELIABILITY.md "Federation tokens": EdDSA only, issuer, audience, `typ`,
 * a maximum age, required claims, a small clock tolerance, the key only from the node id the
 * registry vouches for; `jku`, `jwk`, `x5u` and `x5c` headers are refused outright.
 *
 * @example
 * ```ts
 * const jwt = await signNodeJwt(key, 'id', { sub: 'r1', nonce }, { audience: visitorId, ttlSeconds: 300 })
 * const claims = await verifyNodeJwt(jwt, 'id', IdTokenClaims, { signer: homeId, audience: myId })
 * ```
 */
import { randomBytes } from 'node:crypto'
import { SignJWT, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose'
import type { z } from 'zod'
import { clockToleranceSeconds, skewNote } from '@shulin/protocol'
import type { NodeKey } from '@shulin/federation/identity'
import { publicKeyOf, signingKeyOf } from './keys.js'

export const jwtTypes = {
  id: 'JWT',
  request: 'oauth-authz-req+jwt',
  client: 'client-authentication+jwt',
  /** The hub asking a member for its directory hashes and counts. */
  hub: 'shulin-directory-pull+jwt',
} as const
export type JwtKind = keyof typeof jwtTypes

/** How old a token of each kind may be, however far its `exp` lies. */
export const maxAgeSeconds: Record<JwtKind, number> = { id: 300, request: 600, client: 120, hub: 120 }
/**
 * Clocks of county servers drift: README "Clocks" (15 minutes, the network's tolerance for
 * everything peers sign for each other). More than this and the token is refused as clock skew.
 * A token may thus be taken up to this long past its `exp`: single-use ones are remembered
 * that much longer (see {@link replayHorizonMs}).
 */
export { clockToleranceSeconds }

/** Until when a single-use token must be remembered: past it, the checks refuse it anyway. */
export function replayHorizonMs(kind: JwtKind, claims: { exp: number }, now: number): number {
  return Math.max(claims.exp * 1000, now + maxAgeSeconds[kind] * 1000) + clockToleranceSeconds * 1000
}

const forbiddenHeaders = ['jku', 'jwk', 'x5u', 'x5c'] as const

/** Why a token was refused, for logs and tests (readers see one generic problem). */
export class TokenError extends Error {
  override readonly name = 'TokenError'
  constructor(
    readonly reason: 'malformed' | 'header' | 'unknown_key' | 'signature' | 'claims' | 'clock_skew' | 'schema',
    message: string,
  ) {
    super(message)
  }
}

const signingKeys = new WeakMap<NodeKey, ReturnType<typeof signingKeyOf>>()

export async function signNodeJwt(
  key: NodeKey,
  kind: JwtKind,
  claims: JWTPayload,
  opts: { audience: string; ttlSeconds: number; now?: number | undefined },
): Promise<string> {
  let sk = signingKeys.get(key)
  if (!sk) signingKeys.set(key, (sk = signingKeyOf(key)))
  const iat = Math.floor((opts.now ?? Date.now()) / 1000)
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: jwtTypes[kind], kid: key.nodeId })
    .setIssuer(key.nodeId)
    .setAudience(opts.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + opts.ttlSeconds)
    .setJti(randomBytes(16).toString('base64url'))
    .sign(sk)
}

export interface VerifyOptions {
  /** The node that must have signed it: its key comes from this id, nothing else. */
  signer: string
  audience: string
  now?: number
}

/** Checks a token of one kind and returns its claims, parsed by `schema`; throws {@link TokenError}. */
export async function verifyNodeJwt<S extends z.ZodType>(
  token: string,
  kind: JwtKind,
  schema: S,
  opts: VerifyOptions,
): Promise<z.output<S>> {
  let header
  try {
    header = decodeProtectedHeader(token)
  } catch {
    throw new TokenError('malformed', 'not a JWS')
  }
  if (header.alg !== 'EdDSA') throw new TokenError('header', `algorithm ${String(header.alg)} refused`)
  for (const h of forbiddenHeaders)
    if (h in header) throw new TokenError('header', `${h} header refused: keys come from the registry`)
  if (header.kid !== undefined && header.kid !== opts.signer)
    throw new TokenError('unknown_key', 'kid is not the signer’s node id')
  const key = publicKeyOf(opts.signer)
  if (!key) throw new TokenError('unknown_key', 'the signer is not an Ed25519 node id')
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      issuer: opts.signer,
      audience: opts.audience,
      typ: jwtTypes[kind],
      maxTokenAge: maxAgeSeconds[kind],
      clockTolerance: clockToleranceSeconds,
      requiredClaims: ['iss', 'aud', 'exp', 'iat'],
      ...(opts.now !== undefined ? { currentDate: new Date(opts.now) } : {}),
    }))
  } catch (err) {
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new TokenError('signature', err.message)
    // Signed by the right key, refused only for its times: the two clocks disagree (or the token is stale).
    if (
      err instanceof errors.JWTExpired ||
      (err instanceof errors.JWTClaimValidationFailed && (err.claim === 'iat' || err.claim === 'nbf'))
    ) {
      const iat = Number(decodeJwt(token).iat)
      const now = opts.now ?? Date.now()
      throw new TokenError('clock_skew', `${err.message}: ${skewNote(Number.isFinite(iat) ? iat * 1000 : now, now)}`)
    }
    if (err instanceof errors.JWTClaimValidationFailed) throw new TokenError('claims', err.message)
    throw new TokenError('malformed', (err as Error).message)
  }
  const parsed = schema.safeParse(payload)
  if (!parsed.success) throw new TokenError('schema', parsed.error.message)
  return parsed.data
}
