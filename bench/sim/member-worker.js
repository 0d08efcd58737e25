// One worker process of `npm run sim:network`: a few hundred simulated members, each with its
// own Ed25519 key and its own libp2p host on loopback, joined to the hub through a real invite
// (`/shulin/join/1.0.0`), then keeping its registry current with `/shulin/registry/1.1.0` (by
// the newest issuedAt held, at registryAskIntervalMs) — from the hub, or when the hub does not
// answer, from another member — as a real member does (node/src/federation/registry-member.ts).
// Dialable members also answer other members' registry requests, and serve the shared catalogs.
//
// What is simulated rather than run: a member here is its peer host, its registry and the shared
// catalogs it serves (empty, so the hub learns it as a holder and asks a few a round, as in a real
// network), not a whole node (no HTTP server, no LevelDB of its own). Each member holds its own
// view of the registry (node id → seq); the signed envelopes themselves are byte-identical for
// every member, so the worker keeps one copy of each (by node id and seq) for all its members.
// Entries that arrive during a round are verified against the hub's key (as a member does); the
// whole registry a worker's members take at `settle` is verified once per worker.
//
// Sign-in with a phone number anywhere: a dialable member also answers HTTP on loopback, as a
// node does, with what the hub's phone directory and a cross-node sign-in need of it: the hub's
// signed directory pull (`/oidc/directory`: the keyed hashes of its readers' phone numbers, by the
// real hash and token code of node/), and a stand-in for its OIDC token endpoint (`/sim/token`:
// the visiting member's client assertion checked, an ID token signed for it). A member that goes
// offline stops answering without closing its socket (a host that went dark: the asker waits).
// The simulated members' readers are numbers only (`--readers` a member), no accounts.
//
// Driven over IPC by bench/sim-network.js: `join`, `settle`, `rounds`, `offline`, `watch`,
// `directory`, `signins`, `usage`, `stop`.
import { randomBytes, randomInt } from 'node:crypto'
import { createServer } from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  createHost,
  pushRollups,
  seal,
  requestJoin,
  fetchRegistry,
  serveRegistry,
  open,
  EnvelopeError,
  serveCatalogs,
  ShardedCatalog,
  MemoryShardStore,
  pullCatalog,
} from '../../federation/dist/index.js'
import {
  DirectoryLookupResponse,
  CATALOG_PROTOCOL,
  DirectoryPullClaims,
  IdTokenClaims,
  MemberEntry,
  aggregateDay,
  registryAskIntervalMs,
} from '../../protocol/dist/index.js'
import { signNodeJwt, verifyNodeJwt } from '../../node/dist/identity/tokens.js'
import { signClientAssertion } from '../../node/dist/identity/client-auth.js'
import { directoryTag, phoneHash } from '../../node/dist/identity/directory-member.js'
import { NetworkCatalogs } from '../../node/dist/federation/catalogs.js'
import { parseInviteToken, peersAskedPerRound } from '../../node/dist/federation/registry-member.js'
import { openStorage } from '../../node/dist/storage/db.js'
import { channelRecordRule } from '../../node/dist/channels/service.js'
import { z } from 'zod'

/** @type {Map<string, Map<number, object>>} node id → seq → the hub-signed envelope (one copy per worker) */
const envelopes = new Map()
/** @type {Array<{key: {privateKey: any, nodeId: string}, host: any, dialable: boolean, online: boolean, have: Map<string, number>, active: Map<string, string[]>, revoked: boolean}>} */
const members = []
let hubId = ''
let hubAddrs = []
let roundMs = 10_000
let running = false
const watches = []
let lastError = ''
const counters = {
  directoryPulls: 0,
  directoryNotModified: 0,
  joinRetries: 0,
  rounds: 0,
  fromHub: 0,
  fromPeer: 0,
  failed: 0,
  entriesIn: 0,
  requestBytes: 0,
}
// Instruments for `usage` (why rounds fail, rather than a guess): this process's event-loop
// delay and CPU since the last `usage`, failures by reason and by whom was asked (hub or peer),
// and how long a hub answer takes when it comes.
const loopDelay = monitorEventLoopDelay({ resolution: 20 })
loopDelay.enable()
let cpuMark = { at: performance.now(), cpu: process.cpuUsage() }
/** @type {Record<string, number>} "hub: reason" / "peer: reason" → count */
const failuresBy = {}
const hubAnswerMs = []
let closedConns = 0
const reasonOf = (err) =>
  String(err?.message ?? err)
    .replace(/\/p2p\/\w+/g, '')
    .replace(/\d+(\.\d+)*/g, '#')
    .slice(0, 120)

const keep = (env) => {
  const p = env.payload
  let bySeq = envelopes.get(p.nodeId)
  if (!bySeq) envelopes.set(p.nodeId, (bySeq = new Map()))
  if (!bySeq.has(p.seq)) {
    bySeq.clear() // only the newest matters to anyone asking
    bySeq.set(p.seq, env)
  }
}

/** Takes entries into one member's view; `verify` checks each against the hub's key first. */
function take(m, envs, verify) {
  let n = 0
  for (const env of envs) {
    let p = env.payload
    if (verify) {
      try {
        p = open(env, MemberEntry, { type: 'shulin/member', signer: hubId })
      } catch (err) {
        if (!(err instanceof EnvelopeError)) throw err
        continue
      }
    }
    if (verify === 'hub' && (!m.heldUpTo || p.issuedAt > m.heldUpTo)) m.heldUpTo = p.issuedAt
    if ((m.have.get(p.nodeId) ?? 0) >= p.seq) continue
    m.have.set(p.nodeId, p.seq)
    if (p.status === 'active' && p.p2p.length) m.active.set(p.nodeId, p.p2p)
    else m.active.delete(p.nodeId)
    keep(env)
    n++
  }
  return n
}

/**
 * The shared catalogs a member keeps ('channels', 'channel-menu', the hub-signed ones), served as
 * a real member serves them, so the hub learns them as holders and asks a few a round, as it
 * would in a real network. Empty, and one copy per worker for all its members (a member here keeps
 * no records); a catalog of a name that cannot be one is not held.
 */
const sharedCatalogs = new Map()
function heldCatalog(name) {
  // A channel's catalog (`ch-…`) is held only by the members subscribed to it (`channel`).
  if (name.startsWith('ch-')) return undefined
  if (!sharedCatalogs.has(name)) {
    try {
      sharedCatalogs.set(name, new ShardedCatalog(name, new MemoryShardStore(), { clientId: 1 }))
    } catch {
      sharedCatalogs.set(name, undefined)
    }
  }
  return sharedCatalogs.get(name)
}

/** Readers of each simulated member listed in the hub's phone directory (`--readers`). */
const readersPerMember = Number(process.env.SIM_READERS_PER_MEMBER ?? 50)
/** The r-th listed reader of the member whose invite was the g-th: an 11-digit mobile number. */
const phoneOf = (g, r) => `139${String(g * readersPerMember + r).padStart(8, '0')}`

const TokenAsk = z.object({
  client_id: z.string().max(80),
  client_assertion: z.string().max(4096),
  reader: z.string().max(64),
  nonce: z.string().max(64),
})

/** Reads a small JSON body (the stand-in token endpoint's), refusing anything large. */
async function smallJson(req) {
  let body = ''
  for await (const chunk of req) {
    body += chunk
    if (body.length > 16_384) throw new Error('too large')
  }
  return JSON.parse(body)
}

/**
 * The member's HTTP side: the hub's directory pull and the stand-in token endpoint (see the
 * header). An offline member keeps its socket and answers nothing, as a host gone dark.
 */
async function serveHttp(m) {
  const server = createServer(async (req, res) => {
    if (!m.online) return // gone dark: the request waits until the asker gives up
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    try {
      if (req.method === 'GET' && req.url === '/oidc/directory') {
        const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '')
        const claims = await verifyNodeJwt(bearer, 'hub', DirectoryPullClaims, {
          signer: hubId,
          audience: m.key.nodeId,
        }).catch(() => null)
        if (!claims) return send(401, { error: 'invalid_token' })
        if (m.directoryKey !== claims.directory_key) {
          m.directoryKey = claims.directory_key
          const hashes = Array.from({ length: m.index < 0 ? 0 : readersPerMember }, (_, r) =>
            phoneHash(claims.directory_key, phoneOf(m.index, r)),
          )
          const n = hashes.length
          const answer = { hashes, counts: { registered: n, realNameVerified: n >> 1, active: n >> 2 } }
          m.directoryBody = JSON.stringify(answer)
          m.directoryTag = directoryTag(answer)
        }
        m.hubUrl = claims.hub_url
        m.prevPulledAt = m.pulledAt
        m.pulledAt = Date.now()
        counters.directoryPulls++
        // As a real member answers (node/'s DirectoryMember.answerPull): 304 when the hub holds this list.
        if (req.headers['if-none-match'] === m.directoryTag) {
          counters.directoryNotModified++
          res.writeHead(304, { etag: m.directoryTag })
          return res.end()
        }
        res.writeHead(200, { 'content-type': 'application/json', etag: m.directoryTag })
        return res.end(m.directoryBody)
      }
      if (req.method === 'POST' && req.url === '/sim/token') {
        // Stands in for the home library's token endpoint: the visiting member proves who it is
        // (a single-use client assertion, RFC 7523) and takes an ID token for its reader.
        const ask = TokenAsk.safeParse(await smallJson(req))
        if (!ask.success || !m.active.has(ask.data.client_id)) return send(400, { error: 'invalid_request' })
        const ok = await verifyNodeJwt(ask.data.client_assertion, 'client', z.object({ sub: z.string() }), {
          signer: ask.data.client_id,
          audience: m.key.nodeId,
        }).catch(() => null)
        if (!ok || ok.sub !== ask.data.client_id) return send(401, { error: 'invalid_client' })
        const idToken = await signNodeJwt(
          m.key,
          'id',
          { sub: ask.data.reader, nonce: ask.data.nonce, real_name_verified: true },
          { audience: ask.data.client_id, ttlSeconds: 300 },
        )
        return send(200, { id_token: idToken })
      }
      send(404, { error: 'not_found' })
    } catch {
      if (!res.headersSent) send(400, { error: 'invalid_request' })
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  m.server = server
  return `http://127.0.0.1:${server.address().port}`
}

async function newMember(dialable, index) {
  const privateKey = await generateKeyPair('Ed25519')
  const key = { privateKey, nodeId: peerIdFromPrivateKey(privateKey).toString() }
  const host = await createHost({ privateKey, listen: dialable ? ['/ip4/127.0.0.1/tcp/0'] : [] })
  host.addEventListener('connection:close', () => closedConns++)
  // heldUpTo: the newest issuedAt of the hub's last complete answer (its join answer, a round's
  // answer), what the member's rounds ask after (/shulin/registry/1.1.0), as registry-member does.
  const m = {
    key,
    host,
    dialable,
    online: true,
    have: new Map(),
    heldUpTo: undefined,
    active: new Map(),
    revoked: false,
    suspended: false,
    index,
    // The hub reaches a member's web address to pull its directory; one behind no dialable
    // address has none it can reach (port 1 refuses), so its readers are not in the directory.
    http: 'http://127.0.0.1:1/',
    directoryKey: undefined,
    hubUrl: undefined,
    pulledAt: 0,
    prevPulledAt: 0,
    hashes: [],
  }
  if (dialable) m.http = await serveHttp(m)
  if (dialable)
    await serveCatalogs(host, (name, from) =>
      m.active.has(from) || from === hubId ? heldCatalog(name) : 'not_allowed',
    )
  if (dialable)
    await serveRegistry(host, async (req, from) => {
      if (!m.active.has(from) && from !== hubId) return { ok: false, reason: 'not_member' }
      const entries = []
      for (const [id, seq] of m.have) {
        const env = envelopes.get(id)?.get(seq)
        if (!env) continue
        if ('have' in req ? seq > (req.have[id] ?? 0) : !req.since || env.payload.issuedAt > req.since)
          entries.push(env)
      }
      return { ok: true, entries }
    })
  return m
}

async function joinOne({ token, dialable, name }, retries = 2) {
  const t0 = performance.now()
  const m = await newMember(dialable, /^m\d+$/.test(name) ? Number(name.slice(1)) : -1)
  // A join that could not reach the hub (or whose answer was lost) is tried again once with the
  // same key and invite, as an administrator would run `shulin join` again: the hub answers the
  // node it already admitted with its current entry (idempotent join), so the retry is not "used".
  for (let attempt = 1; ; attempt++) {
    try {
      return await admitted(m, token, name, dialable, t0)
    } catch (err) {
      if (attempt < retries && /cannot reach the hub/.test(err.message)) {
        counters.joinRetries++
        lastError = `join attempt ${attempt} after ${Math.round(performance.now() - t0)} ms: ${err.message}`
        continue
      }
      await m.host.stop().catch(() => {})
      m.server?.closeAllConnections()
      m.server?.close()
      throw err
    }
  }
}

async function admitted(m, token, name, dialable, t0) {
  const env = parseInviteToken(token)
  hubId = env.signer
  hubAddrs = env.payload.hubAddrs
  const answer = await requestJoin(m.host, hubAddrs, {
    invite: env,
    http: [m.http],
    p2p: dialable ? m.host.getMultiaddrs().map((a) => a.toString()) : [],
  })
  if (!answer.ok) throw new Error(`refused: ${answer.reason}`)
  const mine = open(answer.entry, MemberEntry, { type: 'shulin/member', signer: hubId })
  if (mine.nodeId !== m.key.nodeId) throw new Error('the hub admitted someone else')
  take(m, answer.registry, false)
  take(m, [answer.entry], false)
  // The hub's whole registry came with the join (a small network's, registryInJoinMax):
  // everything up to its newest entry is held. A large network's comes by `settle`.
  if (answer.registry.length)
    for (const env of [...answer.registry, answer.entry])
      if (!m.heldUpTo || env.payload.issuedAt > m.heldUpTo) m.heldUpTo = env.payload.issuedAt
  members.push(m)
  return {
    nodeId: m.key.nodeId,
    issuedAt: mine.issuedAt,
    ms: performance.now() - t0,
    registryBytes: JSON.stringify(answer.registry).length,
  }
}

async function join(invites, concurrency, retries) {
  const out = []
  const failed = []
  let next = 0
  const lane = async () => {
    while (next < invites.length) {
      const inv = invites[next++]
      try {
        out.push(await joinOne(inv, retries))
      } catch (err) {
        failed.push(err.message)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return { joined: out, failed }
}

/**
 * `k` other active members of `m` at random, without copying its 3,000 entries: the indices are
 * drawn first, then one pass over the keys picks them up.
 */
function randomPeers(m, k) {
  const n = m.active.size
  const want = new Set()
  for (let tries = 0; want.size < Math.min(k, n - 1) && tries < 4 * k; tries++) want.add(randomInt(n))
  const out = []
  let i = 0
  for (const id of m.active.keys()) {
    if (want.has(i++) && id !== m.key.nodeId) out.push(m.active.get(id))
  }
  return out
}

/** One member's round: the hub first, then a few other active members (as registry-member does). */
async function syncOnce(m) {
  const held = { since: m.heldUpTo, have: () => Object.fromEntries(m.have) }
  counters.requestBytes += JSON.stringify({ since: m.heldUpTo }).length
  const ask = async (addrs, fromHub) => {
    const who = fromHub ? 'hub' : 'peer'
    const t = performance.now()
    try {
      const res = await fetchRegistry(m.host, addrs, held, '0.1.0')
      if (fromHub) hubAnswerMs.push(performance.now() - t)
      if (!res.ok) {
        const k = `${who}: refused ${res.reason}`
        failuresBy[k] = (failuresBy[k] ?? 0) + 1
        return false
      }
      counters.entriesIn += take(m, res.entries, who)
      if (fromHub) counters.fromHub++
      else counters.fromPeer++
      return true
    } catch (err) {
      lastError = String(err?.message ?? err) // the next peer; the last reason is reported
      const k = `${who}: ${reasonOf(err)} after ${Math.round((performance.now() - t) / 1000)}s`
      failuresBy[k] = (failuresBy[k] ?? 0) + 1
      return false
    }
  }
  if (await ask(hubAddrs, true)) return
  // Only when the hub did not answer, as registry-member picks them.
  for (const addrs of randomPeers(m, peersAskedPerRound)) if (await ask(addrs, false)) return
  counters.failed++
}

/** A member's registry ask every round, or as spread out as the network's size says (registry-member). */
const askEvery = (m) => Math.max(roundMs, registryAskIntervalMs(m.have.size)) * (0.75 + Math.random() / 2)

async function loop(m) {
  // Rounds start at a random phase, as nodes started at different times do.
  await new Promise((r) => setTimeout(r, randomInt(Math.round(askEvery(m)))))
  while (running && m.online && !m.revoked) {
    const t = performance.now()
    await syncOnce(m).catch(() => counters.failed++)
    counters.rounds++
    checkWatches()
    await new Promise((r) => setTimeout(r, Math.max(0, askEvery(m) - (performance.now() - t))))
  }
}

/**
 * Members that must hold the newest entry: online, not revoked, not suspended (a suspended
 * member keeps asking, as a real one does, but everyone refuses it, so it cannot know).
 */
const counted = () => members.filter((m) => m.online && !m.revoked && !m.suspended)

function checkWatches() {
  for (let i = watches.length - 1; i >= 0; i--) {
    const w = watches[i]
    const pending = counted().filter((m) => (m.have.get(w.nodeId) ?? 0) < w.seq).length
    if (pending === 0) {
      watches.splice(i, 1)
      process.send({ watch: w.id, at: Date.now() })
    }
  }
}

/**
 * A small library's day, as its capture records it: a few hundred events over a few dozen
 * titles and sessions (the sizes vary per member), aggregated by the same COUNTER rules.
 */
function dayOf(day, i) {
  const n = 200 + randomInt(600)
  const t0 = Date.parse(`${day}T00:00:00Z`) - 8 * 3_600_000
  const kinds = ['view', 'content', 'search', 'view', 'content', 'sign_in']
  const events = []
  for (let e = 0; e < n; e++) {
    const k = kinds[e % kinds.length]
    events.push({
      t: t0 + Math.floor((e * 86_400_000) / n),
      k,
      s: `s${i}.${e % 40}`,
      r: `r${(e * 7919) % 60}`,
      d: e % 3 ? 'mobile' : 'desktop',
      m: 'web',
      ...(k === 'search' ? { q: `q${e % 30}` } : {}),
    })
  }
  const agg = aggregateDay(day, events, { utcOffsetMinutes: 480 })
  const top = Object.keys(agg.titles)
    .slice(0, 20)
    .map((id) => ({
      id,
      title: `书目 ${id}`,
      investigations: agg.titles[id].Total_Item_Investigations,
      requests: agg.titles[id].Total_Item_Requests,
    }))
  return { totals: agg.totals, hours: agg.hours, devices: agg.devices, methods: agg.methods, top }
}

/** Each counted member's signed roll-up of `day`, made before the pushes are timed. */
let prepared = []
async function prepareRollups(day) {
  prepared = []
  for (const [i, m] of counted().entries()) {
    const rollup = {
      v: 1,
      node: m.key.nodeId,
      day,
      revision: 1,
      generatedAt: new Date().toISOString(),
      ...dayOf(day, i),
    }
    prepared.push({ m, push: { rollups: [await seal(m.key, 'shulin/rollup', rollup)] } })
  }
  return prepared.length
}

async function pushAll(concurrency) {
  const outcomes = {}
  const ms = []
  let next = 0
  const lane = async () => {
    while (next < prepared.length) {
      const { m, push } = prepared[next++]
      const t = performance.now()
      let outcome
      try {
        const r = await pushRollups(m.host, hubAddrs, push)
        outcome = r.ok ? r.outcomes[0] : r.reason
      } catch (err) {
        outcome = 'unreachable'
      }
      ms.push(performance.now() - t)
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return { outcomes, ms }
}

/** Members whose readers the hub's directory lists: online, dialable, in good standing, pulled. */
const listedMembers = () => counted().filter((m) => m.dialable && m.pulledAt > 0)

/** The newest registry entry this worker holds for a node (every member's view shares them). */
const entryOf = (nodeId) => [...(envelopes.get(nodeId)?.values() ?? [])].at(-1)?.payload

/**
 * One reader of `home` signs in at `visitor`, as the visiting library does it: the keyed hash of
 * the number asked at the hub's directory (with a client assertion), then the home library's
 * token endpoint at its registry address, its ID token checked against its node id.
 */
async function signIn(t) {
  const a = members.find((m) => m.key.nodeId === t.visitor)
  const t0 = performance.now()
  let lookupMs
  try {
    const body = new URLSearchParams({
      hash: phoneHash(a.directoryKey, phoneOf(t.homeIndex, t.reader)),
      client_id: a.key.nodeId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await signClientAssertion(a.key, hubId),
    })
    const res = await fetch(new URL('/oidc/directory/lookup', a.hubUrl), {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(30_000),
    })
    if (!res.ok) return { outcome: `lookup: HTTP ${res.status}` }
    const { nodes } = DirectoryLookupResponse.parse(await res.json())
    lookupMs = performance.now() - t0
    if (!nodes.includes(t.home))
      return { outcome: nodes.length ? 'lookup: another library' : 'lookup: not listed', lookupMs }
    const home = entryOf(t.home)
    if (home?.status !== 'active') return { outcome: 'home not active in the registry', lookupMs }
    const nonce = randomBytes(16).toString('base64url')
    const tok = await fetch(new URL('/sim/token', home.http[0]), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: a.key.nodeId,
        client_assertion: await signClientAssertion(a.key, t.home),
        reader: `r${t.reader}`,
        nonce,
      }),
      signal: AbortSignal.timeout(30_000),
    })
    if (!tok.ok) return { outcome: `token: HTTP ${tok.status}`, lookupMs }
    const claims = await verifyNodeJwt((await tok.json()).id_token, 'id', IdTokenClaims, {
      signer: t.home,
      audience: a.key.nodeId,
    })
    if (claims.nonce !== nonce) return { outcome: 'token: nonce mismatch', lookupMs }
    return { outcome: 'signed in', lookupMs, ms: performance.now() - t0 }
  } catch (err) {
    return { outcome: reasonOf(err), lookupMs }
  }
}

/**
 * Members subscribed to a hub channel (`channel`): each a real catalog in its own LevelDB, kept
 * by node/'s NetworkCatalogs as a node keeps it (pulled every 3 s from the hub and from members
 * that hold it, every shard checked by the channel's rule: the publisher's signature on every
 * record), and served to other members. A subscriber is `done` once a pull from the hub brings
 * nothing new; `doneAt` is when its last new shard arrived.
 */
const subscribers = []
const catalogRoundMs = 3000

async function subscribe(m, catalog, dir) {
  const storage = await openStorage(dir, { create: true, dataDir: dir })
  const s = { m, storage, catalogs: undefined, cat: undefined, lastChangeAt: 0, doneAt: 0, startedAt: Date.now() }
  // What the subscriber took from the hub and from other members (bytes on the wire), and how
  // often a peer answered busy: read from the node's own log lines of its pulls.
  Object.assign(s, { fromHub: 0, fromPeers: 0, busy: 0 })
  const logger = {
    debug(obj, msg) {
      if (msg === 'pulled catalog changes') {
        if (obj.peer === hubId) s.fromHub += obj.bytes
        else s.fromPeers += obj.bytes
      } else if (msg === 'catalog pull failed' && obj.err?.reason === 'busy') s.busy++
    },
    info() {},
    warn() {},
    error() {},
  }
  const catalogs = new NetworkCatalogs({ storage, nodeId: m.key.nodeId, now: Date.now, logger })
  s.catalogs = catalogs
  catalogs.setRules((name) => (name === catalog ? channelRecordRule(catalog.slice(3)) : undefined))
  // The worker's stand-in catalogs give way to the real ones for this member.
  await m.host.unhandle(CATALOG_PROTOCOL)
  await catalogs.attach({
    host: m.host,
    peers: () => [
      { id: hubId, addrs: hubAddrs, hub: true },
      ...[...m.active].filter(([id]) => id !== m.key.nodeId).map(([id, addrs]) => ({ id, addrs })),
    ],
    mayRead: (peer) => m.active.has(peer) || peer === hubId,
  })
  subscribers.push(s)
  s.cat = await catalogs.open(catalog)
  s.cat.onChange(() => (s.lastChangeAt = Date.now()))
  void (async () => {
    while (running && m.online && !s.doneAt) {
      const t = Date.now()
      await catalogs.pullRound().catch(() => {})
      if (s.lastChangeAt && Date.now() - s.lastChangeAt >= 1000) {
        const r = await pullCatalog(m.host, hubAddrs, s.cat).catch(() => undefined)
        if (r) s.fromHub += r.bytes
        if (r && r.shards === 0) s.doneAt = s.lastChangeAt
      }
      await new Promise((r) => setTimeout(r, Math.max(0, catalogRoundMs - (Date.now() - t))))
    }
  })()
  return m.key.nodeId
}

/** Event-loop delay, CPU share, connections and failures since the last call (then reset). */
function instruments() {
  const now = performance.now()
  const cpu = process.cpuUsage(cpuMark.cpu)
  const cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (now - cpuMark.at)) * 100)
  cpuMark = { at: now, cpu: process.cpuUsage() }
  const online = members.filter((m) => m.online)
  let conns = 0
  let toHub = 0
  for (const m of online)
    for (const c of m.host.getConnections()) {
      conns++
      if (c.remotePeer.toString() === hubId) toHub++
    }
  const sorted = hubAnswerMs.splice(0).sort((a, b) => a - b)
  const out = {
    loopDelayMs: {
      p50: Math.round(loopDelay.percentile(50) / 1e6),
      p99: Math.round(loopDelay.percentile(99) / 1e6),
      max: Math.round(loopDelay.max / 1e6),
    },
    cpuPct,
    conns,
    connsToHub: toHub,
    hubAnswerMs: sorted.length
      ? {
          n: sorted.length,
          p50: Math.round(sorted[sorted.length >> 1]),
          p95: Math.round(sorted[Math.floor(sorted.length * 0.95)]),
        }
      : null,
    failuresBy: { ...failuresBy },
    closedConns,
  }
  closedConns = 0
  loopDelay.reset()
  for (const k of Object.keys(failuresBy)) delete failuresBy[k]
  return out
}

process.on('message', async (msg) => {
  try {
    switch (msg.cmd) {
      case 'join': {
        const r = await join(msg.invites, msg.concurrency ?? 4, msg.retries ?? 2)
        process.send({ reply: msg.id, ...r })
        break
      }
      case 'settle': {
        // One member of this worker takes the whole registry from the hub (a registry request
        // holding nothing, as a member joining a large network does, every entry verified);
        // then every member of the worker takes that copy (see bench/sim-network.js).
        const first = members.find((m) => m.online)
        let t = performance.now()
        let res
        for (let attempt = 1; !res; attempt++) {
          try {
            res = await fetchRegistry(first.host, hubAddrs, { since: undefined, have: () => ({}) }, '0.1.0')
          } catch (err) {
            if (attempt === 3) throw err
          }
        }
        if (!res.ok) throw new Error(`settle: the hub refused the registry (${res.reason})`)
        take(first, res.entries, 'hub')
        const fullMs = performance.now() - t
        const bytes = JSON.stringify(res.entries).length
        t = performance.now()
        for (const m of members) {
          take(m, res.entries, false)
          m.heldUpTo = first.heldUpTo
        }
        process.send({ reply: msg.id, entries: res.entries.length, bytes, fullMs, copyMs: performance.now() - t })
        break
      }
      case 'rounds':
        roundMs = msg.roundMs
        running = true
        for (const m of members) void loop(m)
        process.send({ reply: msg.id })
        break
      case 'offline': {
        // Some members go offline at random: their hosts stop, their entries stay.
        const ids = new Set(msg.nodeIds)
        for (const m of members)
          if (ids.has(m.key.nodeId)) {
            m.online = false
            await m.host.stop()
          }
        process.send({ reply: msg.id })
        break
      }
      case 'revoked': {
        const ids = new Set(msg.nodeIds)
        for (const m of members) if (ids.has(m.key.nodeId)) m.revoked = true
        process.send({ reply: msg.id })
        break
      }
      case 'suspended': {
        const ids = new Set(msg.nodeIds)
        for (const m of members) if (ids.has(m.key.nodeId)) m.suspended = true
        process.send({ reply: msg.id })
        break
      }
      case 'directory': {
        // How far the hub's directory has come: reachable members, and those it has pulled.
        const reachable = counted().filter((m) => m.dialable)
        const now = Date.now()
        process.send({
          reply: msg.id,
          reachable: reachable.length,
          pulled: reachable.filter((m) => m.pulledAt > 0).length,
          pulledTwice: reachable.filter((m) => m.prevPulledAt > 0).length,
          // Each member pulled twice: the longest the hub has gone without a fresh pull of it,
          // between its last two pulls or since the last one (a member being skipped counts).
          gapsMs: reachable
            .filter((m) => m.prevPulledAt > 0)
            .map((m) => Math.max(m.pulledAt - m.prevPulledAt, now - m.pulledAt)),
          listed: listedMembers().map((m) => ({ nodeId: m.key.nodeId, index: m.index })),
        })
        break
      }
      case 'signins': {
        // Every sign-in of this worker at once (the simulator sends all workers theirs together).
        const results = await Promise.all(msg.tasks.map(signIn))
        process.send({ reply: msg.id, results })
        break
      }
      case 'channel': {
        // `count` of this worker's online, dialable members subscribe to the hub's channel.
        const picked = counted()
          .filter((m) => m.dialable)
          .slice(0, msg.count)
        const ids = []
        for (const [i, m] of picked.entries()) ids.push(await subscribe(m, msg.catalog, `${msg.dir}/${i}`))
        process.send({ reply: msg.id, subscribed: ids })
        break
      }
      case 'channel-size': {
        // One whole copy of the channel pulled from the hub into memory (no rule): its bytes.
        const m = counted().find((x) => x.dialable)
        const cat = new ShardedCatalog(msg.catalog, new MemoryShardStore(), { clientId: 1 })
        const r = await pullCatalog(m.host, hubAddrs, cat)
        process.send({ reply: msg.id, bytes: r.bytes })
        break
      }
      case 'channel-status':
        process.send({
          reply: msg.id,
          subscribers: subscribers.map((s) => ({
            doneMs: s.doneAt ? s.doneAt - s.startedAt : null,
            fromHub: s.fromHub,
            fromPeers: s.fromPeers,
            busy: s.busy,
          })),
        })
        break
      case 'rollups-prepare':
        process.send({ reply: msg.id, prepared: await prepareRollups(msg.day) })
        break
      case 'rollups-push':
        process.send({ reply: msg.id, ...(await pushAll(msg.concurrency ?? 8)) })
        break
      case 'watch':
        watches.push({ id: msg.id, nodeId: msg.nodeId, seq: msg.seq })
        checkWatches()
        break
      case 'profile': {
        // A V8 CPU profile of this worker for `seconds`, written to `file` (sim-network.js asks
        // for one after the channel phase with SIM_PROFILE_DIR set).
        const { Session } = await import('node:inspector')
        const { writeFile } = await import('node:fs/promises')
        const session = new Session()
        session.connect()
        const post = (method) => new Promise((res, rej) => session.post(method, (e, r) => (e ? rej(e) : res(r))))
        await post('Profiler.enable')
        await post('Profiler.start')
        await new Promise((r) => setTimeout(r, msg.seconds * 1000))
        const { profile } = await post('Profiler.stop')
        session.disconnect()
        await writeFile(msg.file, JSON.stringify(profile))
        process.send({ reply: msg.id, file: msg.file })
        break
      }
      case 'usage':
        process.send({
          reply: msg.id,
          rssMB: Math.round(process.memoryUsage().rss / 1048576),
          members: members.length,
          online: counted().length,
          pending: watches.map((w) => counted().filter((m) => (m.have.get(w.nodeId) ?? 0) < w.seq).length),
          ...counters,
          lastError,
          ...instruments(),
        })
        break
      case 'stop':
        running = false
        await Promise.all(members.filter((m) => m.online).map((m) => m.host.stop().catch(() => {})))
        await Promise.all(subscribers.map((s) => s.storage.close().catch(() => {})))
        process.send({ reply: msg.id })
        process.exit(0)
    }
  } catch (err) {
    process.send({ reply: msg.id, error: String(err?.stack ?? err) })
  }
})
process.send({ ready: true })
// The simulator gone (finished, killed, out of budget): this worker goes too.
process.on('disconnect', () => process.exit(0))
