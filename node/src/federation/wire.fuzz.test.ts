/**
 * Fuzzing every peer protocol a running hub serves, over real libp2p streams on loopback to a
 * real hub node (LevelDB in a temporary folder, a member joined through the staff API). The
 * attacker speaks with the member's own key, so it gets past the membership checks to the
 * decoders and the handlers behind them. Every message — a valid request made wrong, any bytes,
 * or a bare hostile length prefix — gets the protocol's answer (checked against its schema) or a
 * closed stream, promptly; afterwards the hub still answers the member's good requests.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import {
  CATALOG_PROTOCOL,
  CatalogPullHeader,
  ContentAnswer,
  CONTENT_PROTOCOL,
  HOLDERS_PROTOCOL,
  HoldersAnswer,
  JOIN_PROTOCOL,
  JoinResponse,
  NetworkSearchAnswer,
  REGISTRY_PROTOCOL,
  REGISTRY_PROTOCOL_V1_1,
  RegistryResponse,
  RENEW_PROTOCOL,
  RenewResponse,
  SEARCH_PROTOCOL,
  STATS_PROTOCOL,
  StatsPushResponse,
  SYNC_PROTOCOL,
} from '@shulin/protocol'
import {
  askHolders,
  askNetworkSearch,
  createHost,
  fetchRegistry,
  readNodeKey,
  seal,
  type Host,
} from '@shulin/federation'
import { signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { fc, fuzzParams, hostileJsonBytes, hostileVarints } from '../../../test/fuzz/fuzz.js'
import { freePort } from '../testing/free-port.js'

const sha = (c: string) => c.repeat(64)

describe('peer protocols of a running hub, fuzzed', () => {
  let hub: TempNode
  let member: TempNode
  let attacker: Host
  let hubAddr: string
  const protocols: Array<{ id: string; valid: unknown[]; answer?: z.ZodType }> = []

  beforeAll(async () => {
    const p2pPort = await freePort()
    hub = await startTempNode({ role: 'hub', name: '国家数字图书馆', dataDir: await tempDir(), p2pPort })
    member = await startTempNode({ name: '临安县图书馆' })
    const invite = await (
      await signedInAdmin(hub)
    ).post('/api/staff/federation/invites', { name: '临安县图书馆', region: '330185', level: 'county', validHours: 1 })
    expect(
      (await (await signedInAdmin(member)).post('/api/staff/federation/join', { invite: invite.body.invite })).status,
    ).toBe(200)
    hubAddr = `/ip4/127.0.0.1/tcp/${p2pPort}/p2p/${hub.node.nodeId}`
    // The member's own key: a member gone bad, or its key stolen.
    const key = (await readNodeKey(join(member.dir, 'node-key')))!
    attacker = await createHost({ privateKey: key.privateKey, listen: [] })
    const rollup = await seal(key, 'shulin/rollup', { v: 1, node: key.nodeId, day: '2026-12-01', revision: 1 })
    const invite2 = await seal(key, 'shulin/invite', { id: 'x'.repeat(22), hub: hub.node.nodeId, hubAddrs: [hubAddr] })
    protocols.push(
      {
        id: REGISTRY_PROTOCOL,
        valid: [{ have: {} }, { have: { [key.nodeId]: 1 }, version: '0.1.0' }],
        answer: RegistryResponse,
      },
      {
        id: REGISTRY_PROTOCOL_V1_1,
        valid: [{}, { since: '2026-12-01T00:00:00.000Z', version: '0.1.0' }],
        answer: RegistryResponse,
      },
      { id: RENEW_PROTOCOL, valid: [{ http: [member.node.url + '/'], p2p: [] }], answer: RenewResponse },
      { id: JOIN_PROTOCOL, valid: [{ invite: invite2, http: [], p2p: [] }], answer: JoinResponse },
      {
        id: HOLDERS_PROTOCOL,
        valid: [
          { op: 'who', sha256: sha('a') },
          { op: 'have', files: [sha('b'), sha('c')] },
        ],
        answer: HoldersAnswer,
      },
      { id: SEARCH_PROTOCOL, valid: [{ q: '红楼梦', limit: 5, offset: 0 }, { q: '' }], answer: NetworkSearchAnswer },
      { id: STATS_PROTOCOL, valid: [{ rollups: [rollup] }], answer: StatsPushResponse },
      {
        id: CATALOG_PROTOCOL,
        valid: [{ catalog: 'channels', shards: 2, have: ['AA==', 'AA=='] }],
        answer: CatalogPullHeader,
      },
      {
        id: CONTENT_PROTOCOL,
        valid: [
          { want: 'manifest', sha256: sha('d') },
          { want: 'chunks', sha256: sha('d'), from: 0, count: 1 },
        ],
        answer: ContentAnswer,
      },
      { id: SYNC_PROTOCOL, valid: [{ doc: 'shared/menu' }] },
    )
  })
  afterAll(async () => {
    await attacker?.stop()
    await member?.close()
    await hub?.close()
  })

  /**
   * Sends one message (length-prefixed, or `raw` as it is), closes the writing side, and reads
   * what comes back until the hub ends the stream: the first frame, or nothing.
   */
  async function exchange(
    protocol: string,
    bytes: Uint8Array,
    raw = false,
  ): Promise<{ first?: Uint8Array; ended: 'closed' | 'reset' }> {
    const signal = AbortSignal.timeout(8_000)
    const stream = await attacker.dialProtocol(multiaddr(hubAddr), protocol, { signal })
    const lp = lpStream(stream, { maxDataLength: 16 * 1024 * 1024 })
    let first: Uint8Array | undefined
    try {
      if (raw) stream.send(bytes)
      else await lp.write(bytes, { signal })
      await stream.close({ signal })
      first = (await lp.read({ signal })).subarray()
      for (;;) await lp.read({ signal })
    } catch (err) {
      // The hub not answering within the time is the one failure here: a hang.
      if (signal.aborted) throw new Error(`${protocol}: no answer and no end within 8 s`)
      return { ...(first ? { first } : {}), ended: /reset|abort/i.test((err as Error).message) ? 'reset' : 'closed' }
    }
  }

  it(
    "any message on any protocol: the protocol's answer or a closed stream, never a hang; then good requests are answered",
    { timeout: 90_000 },
    async () => {
      let answered = 0
      for (const p of protocols) {
        await fc.assert(
          fc.asyncProperty(hostileJsonBytes(p.valid), async (bytes) => {
            const { first } = await exchange(p.id, bytes)
            if (first && p.answer) {
              answered++
              const parsed = p.answer.safeParse(JSON.parse(new TextDecoder().decode(first)))
              expect(parsed.success, `${p.id} answered ${new TextDecoder().decode(first).slice(0, 200)}`).toBe(true)
            }
          }),
          fuzzParams(25),
        )
        for (const prefix of hostileVarints) await exchange(p.id, Uint8Array.from([...prefix, 0x7b, 0x7d]), true)
      }
      expect(answered).toBeGreaterThan(50)

      // The hub still serves: its HTTP side, and the member's well-formed requests on the peer side.
      expect((await fetch(`${hub.node.url}/api/health`)).status).toBe(200)
      expect(await askHolders(attacker, [hubAddr], { op: 'who', sha256: sha('e') })).toEqual({ ok: true, holders: [] })
      expect(await askNetworkSearch(attacker, [hubAddr], { q: '书', limit: 5, offset: 0 })).toMatchObject({ ok: true })
      expect(await fetchRegistry(attacker, [hubAddr], { since: undefined, have: () => ({}) })).toMatchObject({
        ok: true,
      })
    },
  )
})
