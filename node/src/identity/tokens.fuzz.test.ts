/**
 * Fuzzing the request objects (and every other node-signed JWT) a node takes from another: the
 * compact token made wrong byte by byte, its header swapped for the forgeries of RELIABILITY.md
 * (`alg: none`, HS256, injected `jku`/`jwk`/`x5u`, unknown `kid`), and claims the client itself
 * signed with any field made wrong. Whatever arrives, `verifyNodeJwt` returns claims that pass
 * the schema or throws a {@link TokenError} — never another error, never a hang.
 */
import { describe, expect, it } from 'vitest'
import { RequestObjectClaims } from '@shulin/protocol'
import { generateNodeKey, type NodeKey } from '@shulin/federation'
import { signNodeJwt, TokenError, verifyNodeJwt } from './tokens.js'
import { fc, fuzzParams, mutatedBytes, mutatedJson } from '../../../test/fuzz/fuzz.js'

const now = Date.parse('2026-12-03T08:00:00Z')
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

async function refusedOrValid(token: string, client: NodeKey, home: NodeKey): Promise<void> {
  try {
    const claims = await verifyNodeJwt(token, 'request', RequestObjectClaims, {
      signer: client.nodeId,
      audience: home.nodeId,
      now,
    })
    expect(RequestObjectClaims.safeParse(claims).success).toBe(true)
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(TokenError)
  }
}

describe('request object fuzz', async () => {
  const client = await generateNodeKey()
  const home = await generateNodeKey()
  const claims = {
    client_id: client.nodeId,
    response_type: 'code',
    redirect_uri: 'https://lib.example/oidc/callback',
    scope: 'openid profile',
    state: 'state-0123456789abcdef',
    nonce: 'nonce-0123456789abcdef',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }
  const valid = await signNodeJwt(client, 'request', claims, { audience: home.nodeId, ttlSeconds: 300, now })

  it('the valid request object verifies (the base the fuzzing mutates)', async () => {
    expect(
      await verifyNodeJwt(valid, 'request', RequestObjectClaims, { signer: client.nodeId, audience: home.nodeId, now }),
    ).toMatchObject(claims)
  })

  it('a request object changed byte by byte: valid claims or a TokenError', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBytes(new TextEncoder().encode(valid)), async (bytes) =>
        refusedOrValid(Buffer.from(bytes).toString('latin1'), client, home),
      ),
      fuzzParams(300),
    )
  })

  it('forged headers over the real payload and signature: a TokenError each', async () => {
    const [, payload, sig] = valid.split('.')
    const headers = [
      { alg: 'none', typ: 'oauth-authz-req+jwt' },
      { alg: 'HS256', typ: 'oauth-authz-req+jwt' },
      { alg: 'EdDSA', typ: 'oauth-authz-req+jwt', jku: 'https://evil.example/jwks' },
      { alg: 'EdDSA', typ: 'oauth-authz-req+jwt', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } },
      { alg: 'EdDSA', typ: 'oauth-authz-req+jwt', x5u: 'https://evil.example/cert' },
      { alg: 'EdDSA', typ: 'oauth-authz-req+jwt', kid: home.nodeId },
      { alg: 'EdDSA', typ: 'JWT', kid: client.nodeId },
      { alg: 'EdDSA', crit: ['exp'], kid: client.nodeId },
    ]
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...headers), mutatedJson(headers)),
        fc.constantFrom(sig!, '', 'AAAA'),
        async (header, signature) => {
          let encoded: string
          try {
            encoded = b64(header)
          } catch {
            encoded = Buffer.from('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)).toString('base64url')
          }
          const token = `${encoded}.${payload}.${signature}`
          await expect(
            verifyNodeJwt(token, 'request', RequestObjectClaims, { signer: client.nodeId, audience: home.nodeId, now }),
          ).rejects.toBeInstanceOf(TokenError)
        },
      ),
      fuzzParams(200),
    )
  })

  it('claims the client signed, with any field made wrong: valid claims or a TokenError', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedJson([claims, { ...claims, exp: 1e308, iat: -1, nbf: 2 ** 53 }]), async (hostile) => {
        let token: string
        try {
          token = await signNodeJwt(client, 'request', hostile as Record<string, unknown>, {
            audience: home.nodeId,
            ttlSeconds: 300,
            now,
          })
        } catch {
          return // jose will not sign it (not an object): nothing to send
        }
        await refusedOrValid(token, client, home)
      }),
      fuzzParams(300),
    )
  })
})
