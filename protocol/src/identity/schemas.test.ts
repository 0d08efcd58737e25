/** The identity messages refuse what the flow must never accept, before any signature is checked. */
import { describe, expect, it } from 'vitest'
import { DirectoryExport, IdTokenClaims, RequestObjectClaims, TokenRequest } from './schemas.js'

const node = '12D3KooWPnHBSZVkdDYzJYxY9vALVywPz3YYzY4Twh5iqvfNS1wa'
const opaque = 'a'.repeat(22)
const request = {
  iss: node,
  aud: node,
  client_id: node,
  response_type: 'code',
  redirect_uri: 'https://b.example/oidc/callback',
  scope: 'openid profile',
  state: opaque,
  nonce: opaque,
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
  exp: 2,
  iat: 1,
  jti: opaque,
}

describe('identity messages', () => {
  it('a request object: S256 only, openid in scope, http(s) redirect, state and nonce of real length', () => {
    expect(RequestObjectClaims.safeParse(request).success).toBe(true)
    for (const bad of [
      { code_challenge_method: 'plain' },
      { scope: 'profile' },
      { redirect_uri: 'javascript:alert(1)' },
      { state: 'short' },
      { nonce: undefined },
      { response_type: 'token' },
      { code_challenge: 'x'.repeat(42) },
    ]) {
      expect(RequestObjectClaims.safeParse({ ...request, ...bad }).success, JSON.stringify(bad)).toBe(false)
    }
  })

  it('a token request: authorization_code with a private_key_jwt assertion and an RFC 7636 verifier', () => {
    const ok = {
      grant_type: 'authorization_code',
      code: opaque,
      redirect_uri: request.redirect_uri,
      code_verifier: 'v'.repeat(43),
      client_id: node,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'x'.repeat(40),
    }
    expect(TokenRequest.safeParse(ok).success).toBe(true)
    expect(TokenRequest.safeParse({ ...ok, code_verifier: 'v'.repeat(42) }).success).toBe(false)
    expect(TokenRequest.safeParse({ ...ok, grant_type: 'password' }).success).toBe(false)
    expect(TokenRequest.safeParse({ ...ok, client_assertion_type: 'client_secret_post' }).success).toBe(false)
  })

  it('an ID token names its issuer and audience by node id and carries a nonce', () => {
    const claims = { iss: node, aud: node, sub: 'r1', exp: 2, iat: 1, nonce: opaque }
    expect(IdTokenClaims.safeParse(claims).success).toBe(true)
    expect(IdTokenClaims.safeParse({ ...claims, aud: [node] }).success).toBe(false)
    expect(IdTokenClaims.safeParse({ ...claims, iss: 'https://evil.example' }).success).toBe(false)
    expect(IdTokenClaims.safeParse({ ...claims, nonce: undefined }).success).toBe(false)
  })

  it('a directory export holds hashes, not phone numbers', () => {
    const counts = { registered: 1, realNameVerified: 0, active: 0 }
    expect(DirectoryExport.safeParse({ hashes: ['h'.repeat(43)], counts }).success).toBe(true)
    expect(DirectoryExport.safeParse({ hashes: ['13800138000'], counts }).success).toBe(false)
    expect(DirectoryExport.safeParse({ hashes: [], counts: { ...counts, registered: -1 } }).success).toBe(false)
  })
})
