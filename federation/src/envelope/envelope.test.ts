import { describe, expect, it } from 'vitest'
import { Invite, MemberEntry } from '@shulin/protocol'
import { generateNodeKey } from '../identity/node-key.js'
import { EnvelopeError, open, seal } from './envelope.js'

const entry = (nodeId: string): MemberEntry => ({
  nodeId,
  name: '临安县图书馆',
  region: '330185',
  level: 'county',
  http: ['https://lib.example/'],
  p2p: ['/ip4/10.0.0.2/tcp/8091'],
  status: 'active',
  seq: 1,
  issuedAt: '2026-11-24T00:00:00.000Z',
})

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const flipBit = (sig: string, byte: number): string => {
  const bytes = Buffer.from(sig, 'base64url')
  bytes[byte] = (bytes[byte] as number) ^ 1
  return bytes.toString('base64url')
}
// 64 bytes end in a character carrying 2 bits of data and 4 spare ones.
const spareBitsSet = (last: string): string => B64URL[B64URL.indexOf(last) | 0b1111] as string

describe('signed envelopes', () => {
  it('open what was sealed, whoever relays it, and refuse any change', async () => {
    const hub = await generateNodeKey()
    const member = await generateNodeKey()
    const env = await seal(hub, 'shulin/member', entry(member.nodeId))
    // Relayed as JSON text through another peer: still verifies.
    const relayed = JSON.parse(JSON.stringify(env))
    expect(open(relayed, MemberEntry, { type: 'shulin/member', signer: hub.nodeId })).toEqual(entry(member.nodeId))

    const tampered = [
      { ...relayed, payload: { ...relayed.payload, status: 'revoked' } },
      { ...relayed, payload: { ...relayed.payload, seq: 2 } },
      { ...relayed, signer: member.nodeId },
      { ...relayed, type: 'shulin/invite' },
      { ...relayed, sig: flipBit(relayed.sig, 10) },
      // Same bytes, another spelling: the spare bits of the last base64 character set.
      { ...relayed, sig: relayed.sig.slice(0, -1) + spareBitsSet(relayed.sig.at(-1) as string) },
      { ...relayed, sig: 'x' },
      { ...relayed, signer: 'not-a-peer-id' },
      null,
      'text',
      { ...relayed, extra: 1 },
    ]
    for (const bad of tampered)
      expect(
        () => open(bad, MemberEntry, { type: 'shulin/member', signer: hub.nodeId }),
        JSON.stringify(bad)?.slice(0, 80),
      ).toThrow(EnvelopeError)
    // A member cannot vouch for itself where the hub's signature is expected.
    const selfSigned = await seal(member, 'shulin/member', entry(member.nodeId))
    expect(() => open(selfSigned, MemberEntry, { type: 'shulin/member', signer: hub.nodeId })).toThrow(/someone else/)
    // A payload that is not what its type says is refused even with a good signature.
    const wrongShape = await seal(hub, 'shulin/invite', entry(member.nodeId))
    expect(() => open(wrongShape, Invite, { type: 'shulin/invite', signer: hub.nodeId })).toThrow(/payload/)
  })

  it('signs the canonical form: key order does not matter', async () => {
    const hub = await generateNodeKey()
    const env = await seal(hub, 'shulin/member', entry('12D3KooWHF4p1dw8tsVfzj3DMfPzzS5Hy3v1JVTwxfFAyn6vZmnu'))
    const reordered = { ...env, payload: Object.fromEntries(Object.entries(env.payload as object).reverse()) }
    expect(() => open(reordered, MemberEntry, { type: 'shulin/member', signer: hub.nodeId })).not.toThrow()
  })
})
