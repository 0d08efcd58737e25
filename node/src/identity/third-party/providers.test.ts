/**
 * The third-party providers file: what an admin writes is checked at start, and a mistake
 * stops the node with a message that names the field.
 */
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../../testing/temp-node.js'
import { loadProviders } from './providers.js'

let dir: string
beforeAll(async () => {
  dir = await tempDir('shulin-providers-')
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const file = async (name: string, body: string) => {
  const path = join(dir, name)
  await writeFile(path, body)
  return path
}

describe('third-party providers file', () => {
  it('none configured: no providers', async () => expect(await loadProviders(undefined)).toEqual([]))

  it('reads an OpenID provider and an OAuth 2 one with its endpoints and subject field', async () => {
    const path = await file(
      'ok.json',
      JSON.stringify([
        { id: 'qq', name: 'QQ', issuer: 'https://idp.example', clientId: 'c', clientSecret: 's' },
        {
          id: 'wechat',
          name: '微信',
          issuer: 'https://open.example',
          clientId: 'wx',
          clientSecret: 's',
          scope: 'snsapi_login',
          subjectClaim: 'unionid',
          endpoints: {
            authorization: 'https://open.example/connect',
            token: 'https://api.example/token',
            userinfo: 'https://api.example/userinfo',
          },
        },
      ]),
    )
    expect(await loadProviders(path)).toMatchObject([
      { id: 'qq', scope: 'openid profile', subjectClaim: 'sub', allowHttp: false },
      { id: 'wechat', subjectClaim: 'unionid' },
    ])
  })

  it.each([
    ['not JSON', '{', /cannot read/],
    [
      'a missing secret',
      JSON.stringify([{ id: 'qq', name: 'QQ', issuer: 'https://idp.example', clientId: 'c' }]),
      /0\.clientSecret/,
    ],
    [
      'a javascript: issuer',
      JSON.stringify([{ id: 'qq', name: 'QQ', issuer: 'javascript:alert(1)', clientId: 'c', clientSecret: 's' }]),
      /0\.issuer/,
    ],
    [
      'two providers with one id',
      JSON.stringify(
        [1, 2].map(() => ({ id: 'qq', name: 'QQ', issuer: 'https://idp.example', clientId: 'c', clientSecret: 's' })),
      ),
      /ids must differ/,
    ],
    [
      'an unknown field',
      JSON.stringify([
        { id: 'qq', name: 'QQ', issuer: 'https://idp.example', clientId: 'c', clientSecret: 's', secret: 'x' },
      ]),
      /secret/,
    ],
  ])('refuses %s', async (_name, body, why) => {
    await expect(loadProviders(await file(`bad-${Math.random()}.json`, body))).rejects.toThrow(why)
  })
})
