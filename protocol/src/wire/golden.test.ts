/**
 * Golden vectors of every Shulin wire message: a fixed message and its exact bytes, as
 * y-protocols' tests pin its sync messages. A test here failing means the wire changed: peers
 * running the previous version would no longer understand this one. Change a vector only with
 * a new protocol version (`/shulin/…/1.1.0`), never to make a test pass.
 */
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import {
  ContentAnswer,
  ContentRequest,
  CONTENT_PROTOCOL,
  contentLimits,
  encodeContentMessage,
} from '../distribution/content.js'
import { contentHttpPath, decodeTicketAuthorization, encodeTicketAuthorization } from '../distribution/content-http.js'
import { HOLDERS_PROTOCOL } from '../distribution/holders.js'
import type { SignedEnvelope } from '../federation/schemas.js'
import { STATS_PROTOCOL } from '../stats/rollup.js'
import {
  CATALOG_PROTOCOL,
  ShardCodec,
  catalogEnd,
  catalogLimits,
  decodeCatalogPullHeader,
  decodeCatalogPullRequest,
  encodeCatalogPullHeader,
  encodeCatalogPullRequest,
  readCredit,
  readShardFrame,
  writeCredit,
  writeShardFrame,
} from './catalog.js'
import { decodeJsonMessage, encodeJsonMessage, type ExchangeSpec } from './exchange.js'
import { HoldersExchange } from './holders.js'
import { JOIN_PROTOCOL, JoinExchange, RENEW_PROTOCOL, RenewExchange } from './join.js'
import { REGISTRY_PROTOCOL, REGISTRY_PROTOCOL_V1_1, RegistryExchange, RegistrySinceExchange } from './registry.js'
import { NetworkSearchExchange, SEARCH_PROTOCOL } from './search.js'
import { StatsExchange } from './stats.js'
import { ACTIVITY_TALLY_PROTOCOL, ActivityTallyExchange } from './activities.js'
import { SYNC_PROTOCOL, decodeSyncHeader, encodeSyncHeader, syncLimits } from './sync.js'
import { VERSION_PROTOCOL, VersionExchange } from './version.js'

const node = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const hub = '12D3KooWHubHubHubHubHubHubHubHubHubHubHubHubHubHubHub'
const sig = 'S'.repeat(86)
const sha = 'a'.repeat(64)
const envelope = { type: 'shulin/member', signer: hub, payload: { n: 1 }, sig }
const envelopeText = `{"type":"shulin/member","signer":"${hub}","payload":{"n":1},"sig":"${sig}"}`
const utf8 = (s: string) => new TextEncoder().encode(s)
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** One JSON message of an exchange: its schema, the message, and its exact text. */
type Vector = [schema: z.ZodType<unknown>, message: unknown, text: string]

function exchangeVectors(
  spec: ExchangeSpec<unknown, unknown>,
  vectors: Array<['request' | 'response', unknown, string]>,
): Vector[] {
  return vectors.map(([side, message, text]) => [side === 'request' ? spec.request : spec.response, message, text])
}

const exchanges: Record<string, { spec: ExchangeSpec<never, never>; vectors: Vector[] }> = {
  [JOIN_PROTOCOL]: {
    spec: JoinExchange as ExchangeSpec<never, never>,
    vectors: exchangeVectors(JoinExchange as ExchangeSpec<unknown, unknown>, [
      [
        'request',
        { invite: envelope, http: ['https://lib.example/'], p2p: ['/ip4/10.0.0.1/tcp/8091'] },
        `{"invite":${envelopeText},"http":["https://lib.example/"],"p2p":["/ip4/10.0.0.1/tcp/8091"]}`,
      ],
      [
        'response',
        { ok: true, entry: envelope, registry: [envelope] },
        `{"ok":true,"entry":${envelopeText},"registry":[${envelopeText}]}`,
      ],
      ['response', { ok: false, reason: 'used' }, '{"ok":false,"reason":"used"}'],
    ]),
  },
  [RENEW_PROTOCOL]: {
    spec: RenewExchange as ExchangeSpec<never, never>,
    vectors: exchangeVectors(RenewExchange as ExchangeSpec<unknown, unknown>, [
      [
        'request',
        { http: [], p2p: ['/dns4/lib.example/tcp/8091'] },
        '{"http":[],"p2p":["/dns4/lib.example/tcp/8091"]}',
      ],
      ['response', { ok: true, entry: envelope }, `{"ok":true,"entry":${envelopeText}}`],
      ['response', { ok: false, reason: 'not_member' }, '{"ok":false,"reason":"not_member"}'],
    ]),
  },
  [REGISTRY_PROTOCOL]: {
    spec: RegistryExchange as ExchangeSpec<never, never>,
    vectors: exchangeVectors(RegistryExchange as ExchangeSpec<unknown, unknown>, [
      ['request', { have: { [node]: 3 }, version: '0.1.0' }, `{"have":{"${node}":3},"version":"0.1.0"}`],
      ['request', { have: {} }, '{"have":{}}'],
      ['response', { ok: true, entries: [envelope] }, `{"ok":true,"entries":[${envelopeText}]}`],
      ['response', { ok: false, reason: 'invalid' }, '{"ok":false,"reason":"invalid"}'],
    ]),
  },
  [REGISTRY_PROTOCOL_V1_1]: {
    spec: RegistrySinceExchange as ExchangeSpec<never, never>,
    vectors: exchangeVectors(RegistrySinceExchange as ExchangeSpec<unknown, unknown>, [
      [
        'request',
        { since: '2026-12-01T08:00:00.000Z', version: '0.1.0' },
        '{"since":"2026-12-01T08:00:00.000Z","version":"0.1.0"}',
      ],
      ['request', {}, '{}'],
      ['response', { ok: true, entries: [envelope] }, `{"ok":true,"entries":[${envelopeText}]}`],
      ['response', { ok: false, reason: 'invalid' }, '{"ok":false,"reason":"invalid"}'],
    ]),
  },
  [SEARCH_PROTOCOL]: {
    spec: NetworkSearchExchange as ExchangeSpec<never, never>,
    vectors: exchangeVectors(NetworkSearchExchange as ExchangeSpec<unknown, unknown>, [
      ['request', { q: '红楼梦', limit: 5, offset: 0 }, '{"q":"红楼梦","limit":5,"offset":0}'],
      ['response', { ok: true, total: 0, hits: [] }, '{"ok":true,"total":0,"hits":[]}'],
      ['response', { ok: false, reason: 'not_member' }, '{"ok":false,"reason":"not_member"}'],
    ]),
  },
  [HOLDERS_PROTOCOL]: {
    spec: HoldersExchange as ExchangeSpec<never, never>,
    vectors: exchangeVectors(HoldersExchange as ExchangeSpec<unknown, unknown>, [
      ['request', { op: 'have', files: [sha] }, `{"op":"have","files":["${sha}"]}`],
      ['request', { op: 'who', sha256: sha }, `{"op":"who","sha256":"${sha}"}`],
      ['response', { ok: true, holders: [node] }, `{"ok":true,"holders":["${node}"]}`],
      ['response', { ok: true }, '{"ok":true}'],
      ['response', { ok: false, reason: 'not_hub' }, '{"ok":false,"reason":"not_hub"}'],
    ]),
  },
  [VERSION_PROTOCOL]: {
    spec: VersionExchange as ExchangeSpec<never, never>,
    vectors: exchangeVectors(VersionExchange as ExchangeSpec<unknown, unknown>, [
      ['request', { version: '0.1.0' }, '{"version":"0.1.0"}'],
      ['response', { ok: true, version: '0.2.0' }, '{"ok":true,"version":"0.2.0"}'],
      ['response', { ok: false, reason: 'not_member' }, '{"ok":false,"reason":"not_member"}'],
    ]),
  },
  [STATS_PROTOCOL]: {
    spec: StatsExchange as ExchangeSpec<never, never>,
    vectors: exchangeVectors(StatsExchange as ExchangeSpec<unknown, unknown>, [
      [
        'request',
        { rollups: [{ ...envelope, type: 'shulin/rollup' }] },
        `{"rollups":[${envelopeText.replace('shulin/member', 'shulin/rollup')}]}`,
      ],
      [
        'response',
        { ok: true, outcomes: ['stored', 'duplicate', 'too_old'] },
        '{"ok":true,"outcomes":["stored","duplicate","too_old"]}',
      ],
      ['response', { ok: false, reason: 'not_member' }, '{"ok":false,"reason":"not_member"}'],
    ]),
  },
  [ACTIVITY_TALLY_PROTOCOL]: {
    spec: ActivityTallyExchange as ExchangeSpec<never, never>,
    vectors: exchangeVectors(ActivityTallyExchange as ExchangeSpec<unknown, unknown>, [
      [
        'request',
        { tallies: [{ ...envelope, type: 'shulin/activity-tally' }], entries: [] },
        `{"tallies":[${envelopeText.replace('shulin/member', 'shulin/activity-tally')}],"entries":[]}`,
      ],
      [
        'response',
        { ok: true, tallies: ['stored', 'duplicate', 'future', 'conflict'], entries: ['stored'] },
        '{"ok":true,"tallies":["stored","duplicate","future","conflict"],"entries":["stored"]}',
      ],
      ['response', { ok: false, reason: 'not_member' }, '{"ok":false,"reason":"not_member"}'],
    ]),
  },
}

describe('wire: the request/answer exchanges', () => {
  for (const [id, { spec, vectors }] of Object.entries(exchanges)) {
    it(`${id}: each message has exactly its bytes, and reads back as itself`, () => {
      expect(spec.protocol).toBe(id)
      for (const [schema, message, text] of vectors) {
        expect(new TextDecoder().decode(encodeJsonMessage(message))).toBe(text)
        expect(encodeJsonMessage(message)).toEqual(utf8(text))
        expect(decodeJsonMessage(schema, utf8(text))).toEqual(message)
      }
      // The answer to a request that does not parse is itself an answer of the protocol.
      expect(decodeJsonMessage(spec.response as z.ZodType<unknown>, encodeJsonMessage(spec.invalid))).toEqual(
        spec.invalid,
      )
      expect(decodeJsonMessage(spec.request as z.ZodType<unknown>, utf8('{"nope":1}'))).toBeUndefined()
      expect(decodeJsonMessage(spec.request as z.ZodType<unknown>, Uint8Array.of(0xff, 0xfe))).toBeUndefined()
    })
  }

  it('every protocol keeps its id and limits (a change here is a change of the wire)', () => {
    const table = Object.values(exchanges).map(({ spec }) => [
      spec.protocol,
      spec.maxBytes,
      spec.timeoutMs,
      spec.perAttempt ?? false,
      spec.maxInboundStreams,
    ])
    expect(table).toEqual([
      ['/shulin/join/1.0.0', 4 * 1024 * 1024, 15_000, false, 8],
      ['/shulin/renew/1.0.0', 64 * 1024, 15_000, true, 4],
      ['/shulin/registry/1.0.0', 4 * 1024 * 1024, 10_000, true, 16],
      ['/shulin/registry/1.1.0', 4 * 1024 * 1024, 10_000, true, 16],
      ['/shulin/search/1.0.0', 1024 * 1024, 10_000, false, 32],
      ['/shulin/holders/1.0.0', 80 * 1024, 5_000, false, 32],
      ['/shulin/version/1.0.0', 1024, 10_000, true, 16],
      ['/shulin/stats/1.0.0', 1024 * 1024, 20_000, true, 4],
      ['/shulin/activity-tally/1.0.0', 8 * 1024 * 1024, 30_000, true, 4],
    ])
    expect([SYNC_PROTOCOL, syncLimits]).toEqual([
      '/shulin/sync/1.0.0',
      { maxFrame: 8 * 1024 * 1024, headerTimeoutMs: 10_000, firstSyncMs: 15_000, maxInboundStreams: 64 },
    ])
    expect([CATALOG_PROTOCOL, catalogLimits]).toEqual([
      '/shulin/catalog/1.0.0',
      {
        maxFrame: 8 * 1024 * 1024,
        requestTimeoutMs: 10_000,
        idleMs: 30_000,
        creditBytes: 16 * 1024 * 1024,
        creditEvery: 1024 * 1024,
        compressFrom: 1024,
        maxShards: 4096,
        maxInboundStreams: 8,
        // Since 12-06: `busy`, a refusal an older asker reads as a malformed answer and tries again.
        largePull: 10_000,
        largePullsAtOnce: 2,
      },
    ])
    expect(CONTENT_PROTOCOL).toBe('/shulin/content/1.0.0')
    expect(contentLimits).toEqual({
      minChunkSize: 64 * 1024,
      maxChunkSize: 4 * 1024 * 1024,
      maxChunks: 32_768,
      maxRequestBytes: 1024,
      maxAnswerBytes: 3 * 1024 * 1024,
      maxChunksPerRequest: 8,
    })
  })
})

describe('wire: /shulin/sync/1.0.0', () => {
  it('opens with a JSON header naming the document; y-protocols messages follow', () => {
    expect(encodeSyncHeader({ doc: 'shared/menu' })).toEqual(utf8('{"doc":"shared/menu"}'))
    expect(decodeSyncHeader(utf8('{"doc":"shared/menu"}'))).toEqual({ doc: 'shared/menu' })
    // Keys a later version may add are ignored; a name that is not a document's is refused.
    expect(decodeSyncHeader(utf8('{"doc":"channels/hub","v":2}'))).toEqual({ doc: 'channels/hub' })
    for (const bad of ['{"doc":"../x"}', '{"doc":1}', '{}', 'null', '"shared/menu"', '{"doc":"shared/menu"'])
      expect(decodeSyncHeader(utf8(bad)), bad).toBeUndefined()
  })
})

describe('wire: /shulin/catalog/1.0.0', () => {
  it('pins the request and the answer header', () => {
    const req = { catalog: 'channels', shards: 2, have: ['AA==', 'AQIDBA=='] }
    const text = '{"catalog":"channels","shards":2,"have":["AA==","AQIDBA=="]}'
    expect(encodeCatalogPullRequest(req)).toEqual(utf8(text))
    expect(decodeCatalogPullRequest(utf8(text))).toEqual(req)
    expect(decodeCatalogPullRequest(utf8('{"catalog":"channels","shards":2,"have":["AA=="]}'))).toBeUndefined()
    expect(encodeCatalogPullHeader({ ok: true })).toEqual(utf8('{"ok":true}'))
    expect(encodeCatalogPullHeader({ ok: false, reason: 'not_allowed' })).toEqual(
      utf8('{"ok":false,"reason":"not_allowed"}'),
    )
    expect(decodeCatalogPullHeader(utf8('{"ok":false,"reason":"unknown"}'))).toEqual({ ok: false, reason: 'unknown' })
    expect(decodeCatalogPullHeader(utf8('{"ok":false,"reason":"busy"}'))).toEqual({ ok: false, reason: 'busy' })
    expect(decodeCatalogPullHeader(utf8('{"ok":false,"reason":"later"}'))).toBeUndefined()
  })

  it('pins shard frames (varuint shard, varuint codec, body), credit frames and the end frame', () => {
    expect(hex(writeShardFrame({ shard: 3, codec: ShardCodec.raw, body: Uint8Array.of(1, 2, 3) }))).toBe('0300010203')
    // 200 needs two varuint bytes (c8 01); the codec of a deflated body is 1.
    expect(hex(writeShardFrame({ shard: 200, codec: ShardCodec.deflate, body: Uint8Array.of(0xab) }))).toBe('c80101ab')
    expect(readShardFrame(Uint8Array.from(Buffer.from('c80101ab', 'hex')))).toEqual({
      shard: 200,
      codec: 1,
      body: Uint8Array.of(0xab),
    })
    expect(readShardFrame(Uint8Array.of(5, 0))).toEqual({ shard: 5, codec: 0, body: new Uint8Array(0) })
    expect(readShardFrame(new Uint8Array(0))).toHaveProperty('error')
    expect(readShardFrame(Uint8Array.of(1, 2, 9))).toEqual({ error: 'unknown codec 2' })
    expect(readShardFrame(new Uint8Array(16).fill(0xff))).toHaveProperty('error')
    expect(hex(writeCredit(catalogLimits.creditEvery))).toBe('808040')
    expect(readCredit(Uint8Array.of(0x80, 0x80, 0x40))).toBe(1024 * 1024)
    expect(readCredit(new Uint8Array(0))).toBeUndefined()
    expect(catalogEnd()).toEqual(new Uint8Array(0))
  })
})

describe('wire: /shulin/content/1.0.0', () => {
  it('pins requests and answers (chunks follow as bare binary frames)', () => {
    const vectors: Array<[z.ZodType<unknown>, unknown, string]> = [
      [ContentRequest, { want: 'manifest', sha256: sha }, `{"want":"manifest","sha256":"${sha}"}`],
      [
        ContentRequest,
        { want: 'chunks', sha256: sha, from: 3, count: 2 },
        `{"want":"chunks","sha256":"${sha}","from":3,"count":2}`,
      ],
      [ContentAnswer, { ok: true }, '{"ok":true}'],
      [ContentAnswer, { ok: false, reason: 'busy' }, '{"ok":false,"reason":"busy"}'],
    ]
    for (const [schema, message, text] of vectors) {
      expect(encodeContentMessage(message as ContentRequest)).toEqual(utf8(text))
      expect(decodeJsonMessage(schema, utf8(text))).toEqual(message)
    }
  })
})

describe('wire: content over HTTP (the fallback of /shulin/content/1.0.0)', () => {
  it('pins the path and the ticket header', () => {
    expect(contentHttpPath(sha)).toBe(`/api/federation/content/${sha}`)
    const ticket = {
      type: 'shulin/content-ticket',
      signer: node,
      payload: { from: node, to: hub, sha256: sha, exp: 1 },
      sig,
    } as SignedEnvelope
    const json = `{"type":"shulin/content-ticket","signer":"${node}","payload":{"from":"${node}","to":"${hub}","sha256":"${sha}","exp":1},"sig":"${sig}"}`
    const header = `Shulin-Ticket ${Buffer.from(json).toString('base64url')}`
    expect(encodeTicketAuthorization(ticket)).toBe(header)
    expect(header.slice(0, 40)).toBe('Shulin-Ticket eyJ0eXBlIjoic2h1bGluL2Nvbn')
    expect(decodeTicketAuthorization(header)).toEqual({ envelope: ticket })
    expect(decodeTicketAuthorization(undefined)).toEqual({ error: 'missing' })
    expect(decodeTicketAuthorization('Bearer abc')).toEqual({ error: 'missing' })
    expect(decodeTicketAuthorization('Shulin-Ticket bm9wZQ')).toEqual({ error: 'unreadable' })
  })
})
