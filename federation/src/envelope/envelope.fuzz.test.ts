/**
 * Fuzzing the envelope check every peer-sent signed object goes through (registry entries,
 * roll-ups, channel records, menu entries, tickets): whatever arrives, `open` and `openAsync`
 * return a payload of the expected type or throw {@link EnvelopeError} — never another error,
 * which the callers (registry intake, the hub's roll-up intake, a channel's catalog rule) let
 * through as a failure of the whole exchange instead of a refusal of one object.
 */
import { describe, expect, it } from 'vitest'
import { MemberEntry } from '@shulin/protocol'
import { generateNodeKey } from '../identity/node-key.js'
import { EnvelopeError, open, openAsync, seal } from './envelope.js'
import { fc, fuzzParams, mutatedJson } from '../../../test/fuzz/fuzz.js'

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

/** What `open` may do with anything: give a valid payload, or refuse it with an EnvelopeError. */
function refusedOrValid(run: () => unknown): void {
  try {
    expect(MemberEntry.safeParse(run()).success).toBe(true)
  } catch (err) {
    if (!(err instanceof EnvelopeError)) throw err
  }
}

describe('envelope fuzz', () => {
  it('a hostile payload under a well-formed signature is refused with an EnvelopeError (lone surrogate, deep nesting)', async () => {
    const hub = await generateNodeKey()
    const env = await seal(hub, 'shulin/member', entry(hub.nodeId))
    // Both once escaped the check as a plain Error / RangeError from the canonical encoder.
    const deep = JSON.parse('['.repeat(20_000) + ']'.repeat(20_000)) as unknown
    for (const payload of [{ ...entry(hub.nodeId), name: '\ud800' }, deep, { a: deep }]) {
      const forged = { ...env, payload }
      expect(() => open(forged, MemberEntry, { type: 'shulin/member', signer: hub.nodeId })).toThrow(EnvelopeError)
      await expect(openAsync(forged, MemberEntry, { type: 'shulin/member', signer: hub.nodeId })).rejects.toThrow(
        EnvelopeError,
      )
    }
  })

  it('any change to a sealed envelope: a valid payload or an EnvelopeError', async () => {
    const hub = await generateNodeKey()
    const envs = [
      await seal(hub, 'shulin/member', entry(hub.nodeId)),
      await seal(hub, 'shulin/member', { ...entry(hub.nodeId), name: '书林 🏯', seq: 2 }),
    ]
    await fc.assert(
      fc.asyncProperty(mutatedJson(envs), async (input) => {
        refusedOrValid(() => open(input, MemberEntry, { type: 'shulin/member', signer: hub.nodeId }))
        try {
          expect(MemberEntry.safeParse(await openAsync(input, MemberEntry, { type: 'shulin/member' })).success).toBe(
            true,
          )
        } catch (err) {
          if (!(err instanceof EnvelopeError)) throw err
        }
      }),
      fuzzParams(300),
    )
  })
})
