/**
 * The identity endpoints over a real socket on a node that has joined no network: discovery
 * and JWKS describe the node key, and nothing in the flow is granted to a stranger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importJWK, jwtVerify } from 'jose'
import { generateNodeKey } from '@shulin/federation/identity'
import { startTempNode, type TempNode } from '../testing/temp-node.js'
import { signNodeJwt } from './tokens.js'

let t: TempNode
beforeAll(async () => {
  t = await startTempNode()
})
afterAll(() => t?.close())

describe('identity endpoints of a node', () => {
  it('publishes its OpenID configuration and its node key as an OKP Ed25519 JWK', async () => {
    const conf = await (await fetch(`${t.node.url}/.well-known/openid-configuration`)).json()
    expect(conf).toMatchObject({
      issuer: t.node.nodeId,
      authorization_endpoint: `${t.node.url}/oidc/authorize`,
      token_endpoint: `${t.node.url}/oidc/token`,
      id_token_signing_alg_values_supported: ['EdDSA'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    })
    const jwks = await (await fetch(conf.jwks_uri)).json()
    expect(jwks.keys).toEqual([
      expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: t.node.nodeId, alg: 'EdDSA' }),
    ])
    // A token the node signs verifies with the published key.
    const key = await importJWK(jwks.keys[0], 'EdDSA')
    const stranger = await generateNodeKey()
    const jwt = await signNodeJwt(stranger, 'id', { sub: 'x' }, { audience: 'y', ttlSeconds: 60 })
    await expect(jwtVerify(jwt, key)).rejects.toThrow(/signature/)
  })

  it('refuses an authorization request from a client outside the registry, without redirecting', async () => {
    const stranger = await generateNodeKey()
    const request = await signNodeJwt(
      stranger,
      'request',
      { client_id: stranger.nodeId },
      { audience: t.node.nodeId, ttlSeconds: 60 },
    )
    const res = await fetch(`${t.node.url}/oidc/authorize?client_id=${stranger.nodeId}&request=${request}`, {
      redirect: 'manual',
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('location')).toBeNull()
    expect(await res.json()).toMatchObject({ code: 'sign_in_refused' })
    const malformed = await fetch(`${t.node.url}/oidc/authorize?client_id=nobody`, {
      redirect: 'manual',
      headers: { 'accept-language': 'en' },
    })
    expect(malformed.status).toBe(403)
  })

  it('answers OAuth errors at the token endpoint: wrong media type, malformed, unknown client', async () => {
    const post = (body: string, type = 'application/x-www-form-urlencoded') =>
      fetch(`${t.node.url}/oidc/token`, { method: 'POST', body, headers: { 'content-type': type } })
    expect(await (await post('{}', 'application/json')).json()).toMatchObject({ error: 'invalid_request' })
    expect(await (await post('grant_type=password')).json()).toMatchObject({ error: 'invalid_request' })
    const stranger = await generateNodeKey()
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'c'.repeat(43),
      redirect_uri: 'http://127.0.0.1:1/oidc/callback',
      code_verifier: 'v'.repeat(43),
      client_id: stranger.nodeId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await signNodeJwt(
        stranger,
        'client',
        { sub: stranger.nodeId },
        { audience: t.node.nodeId, ttlSeconds: 60 },
      ),
    })
    const res = await post(form.toString())
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: 'invalid_client' })
  })

  it('refuses to start a sign-in through a library that is not a member, and a callback with an unknown state', async () => {
    const stranger = await generateNodeKey()
    const res = await fetch(`${t.node.url}/api/identity/start?home=${stranger.nodeId}`, {
      redirect: 'manual',
      headers: { 'accept-language': 'zh-CN' },
    })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ code: 'home_unknown', title: '找不到该读者所在的图书馆' })
    const cb = await fetch(`${t.node.url}/oidc/callback?state=${'s'.repeat(43)}&code=${'c'.repeat(43)}`, {
      redirect: 'manual',
    })
    expect(cb.status).toBe(403)
    expect(cb.headers.get('set-cookie') ?? '').not.toMatch(/shulin_session=[^;]/)
    expect((await (await fetch(`${t.node.url}/api/identity/libraries`)).json()).libraries).toEqual([])
  })
})
