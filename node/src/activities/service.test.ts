/**
 * ActivitiesService on a real LevelDB: fair play (rate limits, bursts flagged, new accounts'
 * likes halved), nothing counted twice under concurrency or across a visiting reader's two
 * accounts, the ranking index kept exactly in step with the counts, the regional ranking, the
 * hub's tally intake (idempotent), and the audio queue resuming after a restart with real ffmpeg.
 */
import { execFile } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CreateActivityRequest, shanghaiDay } from '@shulin/protocol'
import { newAccountRecord, type AccountRecord } from '../accounts/store.js'
import { BlobStore } from '../blobs/store.js'
import { createLogger } from '../logger.js'
import { openStorage, putOp, type Storage } from '../storage/db.js'
import { ProblemError } from '../http/problem.js'
import { AudioQueue } from './queue.js'
import { ActivitiesService, voterOf, type Voter } from './service.js'
import type { AudioJob } from './store.js'

const run = promisify(execFile)
const hour = 3_600_000
const start = Date.parse('2026-06-01T02:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()

let dir: string
let storage: Storage
const clock = { now: start }

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shulin-activities-svc-'))
  storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
  clock.now = start
})
afterEach(async () => {
  await storage.close()
  await rm(dir, { recursive: true, force: true })
})

function service(fairPlay: ConstructorParameters<typeof ActivitiesService>[0]['fairPlay'] = {}, region = '440106') {
  return new ActivitiesService({
    storage,
    nodeId: 'node-a',
    library: () => ({ name: '甲图书馆', region }),
    fairPlay,
    now: () => clock.now,
  })
}

const account = (id: string, createdAt = iso(start - 100 * hour)): AccountRecord => ({
  ...newAccountRecord({ id, kind: 'reader', source: 'register', name: '王小明' }, createdAt),
})
const voter = (id: string, createdAt: string | null = null): Voter => ({ key: `node-a/${id}`, account: id, createdAt })

async function activity(s: ActivitiesService, extra: Record<string, unknown> = {}) {
  return s.create(
    CreateActivityRequest.parse({
      kind: 'recitation',
      title: '诵读',
      phases: {
        submission: { from: iso(start - hour), to: iso(start + 48 * hour) },
        voting: { from: iso(start - hour), to: iso(start + 48 * hour) },
      },
      ...extra,
    }),
  )
}

async function readyEntry(s: ActivitiesService, activityId: string, author: string) {
  const e = await s.submitEntry({
    activityId,
    account: account(author),
    source: { blob: 'a'.repeat(64), mediaType: 'audio/wav' },
    duration: 2,
  })
  await s.settleEntry(e.id, {
    status: 'ready',
    audio: { blob: 'b'.repeat(64), mediaType: 'audio/mp4', size: 1 },
    duration: 2,
  })
  return e.id
}

const code = async (p: Promise<unknown>) => {
  try {
    await p
    return 'ok'
  } catch (err) {
    if (err instanceof ProblemError) return err.code
    throw err
  }
}

/** Every ranking key of an activity, by scope: each entry must be in each of its scopes exactly once. */
async function rankKeys(s: ActivitiesService, activityId: string) {
  return s.store.rank.keys({ gt: `${activityId}!`, lt: `${activityId}!\uffff` }).all()
}

describe('likes under fair play', () => {
  it('a voter past the per-minute limit is refused (429) and admitted again a minute later', async () => {
    const s = service({ voterPerMinute: 3 })
    const a = await activity(s)
    const ids = await Promise.all([1, 2, 3, 4].map((i) => readyEntry(s, a.id, `author-${i}`)))
    for (const id of ids.slice(0, 3))
      expect(await code(s.like({ activityId: a.id, entryId: id, voter: voter('v'), address: '1.1.1.1' }))).toBe('ok')
    expect(await code(s.like({ activityId: a.id, entryId: ids[3]!, voter: voter('v'), address: '1.1.1.1' }))).toBe(
      'too_many_attempts',
    )
    // The refused like counted nothing.
    expect((await s.ranking(a.id, { scope: 'total', limit: 10 })).entries.find((e) => e.id === ids[3])!.likes).toBe(0)
    clock.now += 61_000
    expect(await code(s.like({ activityId: a.id, entryId: ids[3]!, voter: voter('v'), address: '1.1.1.1' }))).toBe('ok')
  })

  it('a burst from one address is flagged once for review; past the address limit likes are refused', async () => {
    const s = service({ flagAddressPerMinute: 3, addressPerMinute: 5 })
    const a = await activity(s)
    const e = await readyEntry(s, a.id, 'author')
    const results = []
    for (let i = 0; i < 7; i++)
      results.push(await code(s.like({ activityId: a.id, entryId: e, voter: voter(`v${i}`), address: '9.9.9.9' })))
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'too_many_attempts', 'too_many_attempts'])
    const flags = await s.flags()
    expect(flags).toHaveLength(1)
    expect(flags[0]).toMatchObject({ reason: 'address_burst', address: '9.9.9.9', count: 4, activity: a.id })
    // Another address is not affected.
    expect(await code(s.like({ activityId: a.id, entryId: e, voter: voter('w'), address: '8.8.8.8' }))).toBe('ok')
  })

  it('new accounts’ likes count half under `half`', async () => {
    const s = service()
    const a = await activity(s, { newAccountLikes: 'half' })
    const e = await readyEntry(s, a.id, 'author')
    const fresh = iso(start)
    await s.like({ activityId: a.id, entryId: e, voter: voter('n1', fresh), address: 'x' })
    const r = await s.like({ activityId: a.id, entryId: e, voter: voter('n2', fresh), address: 'x' })
    expect(r.likes).toBe(1)
    const old = await s.like({ activityId: a.id, entryId: e, voter: voter('o1', iso(start - 2 * hour)), address: 'x' })
    expect(old.likes).toBe(2)
  })

  it('nothing is counted twice: concurrent likes of one voter count once, of many voters each once', async () => {
    const s = service({ voterPerMinute: 1000, addressPerMinute: 100_000 })
    const a = await activity(s)
    const e = await readyEntry(s, a.id, 'author')
    const same = await Promise.all(
      Array.from({ length: 20 }, () =>
        code(s.like({ activityId: a.id, entryId: e, voter: voter('one'), address: 'x' })),
      ),
    )
    expect(same.filter((c) => c === 'ok')).toHaveLength(1)
    expect(same.filter((c) => c === 'already_liked_today')).toHaveLength(19)
    const many = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        code(s.like({ activityId: a.id, entryId: e, voter: voter(`m${i}`), address: 'x' })),
      ),
    )
    expect(many.every((c) => c === 'ok')).toBe(true)
    const ranking = await s.ranking(a.id, { scope: 'total', limit: 5 })
    expect(ranking.entries[0]).toMatchObject({ id: e, likes: 51, rank: 1 })
    // The index holds the entry once per scope (total, library, 3 region prefixes, today): no stale keys.
    expect(await rankKeys(s, a.id)).toHaveLength(6)
  })

  it('a visiting reader likes as their home identity: their home account and visiting account are one voter', async () => {
    const s = service()
    const a = await activity(s)
    const e = await readyEntry(s, a.id, 'author')
    // Signed in at home (node-b) the key is node-b/<id>; visiting node-a, the account carries home.
    const visiting: AccountRecord = {
      ...account('local-copy'),
      source: 'visiting',
      home: { nodeId: 'node-b', sub: 'reader-7', name: '乙图书馆' },
    }
    const v = voterOf(visiting, 'node-a')
    expect(v.key).toBe('node-b/reader-7')
    expect(voterOf(account('reader-7'), 'node-b').key).toBe(v.key)
    expect(await code(s.like({ activityId: a.id, entryId: e, voter: v, address: 'x' }))).toBe('ok')
    const again = voterOf({ ...visiting, id: 'another-local-copy' }, 'node-a')
    expect(await code(s.like({ activityId: a.id, entryId: e, voter: again, address: 'y' }))).toBe('already_liked_today')
  })
})

describe('rankings and the hub’s tallies', () => {
  it('ranks by region prefix (province, city, county) and refuses a region that is no code', async () => {
    const s = service()
    const a = await activity(s)
    const e1 = await readyEntry(s, a.id, 'r1')
    await s.like({ activityId: a.id, entryId: e1, voter: voter('v1'), address: 'x' })
    for (const of of ['44', '4401', '440106', '440000'])
      expect((await s.ranking(a.id, { scope: 'region', of, limit: 10 })).entries.map((e) => e.id)).toEqual([e1])
    expect((await s.ranking(a.id, { scope: 'region', of: '11', limit: 10 })).entries).toEqual([])
    expect(await code(s.ranking(a.id, { scope: 'region', of: 'abc', limit: 10 }))).toBe('validation_failed')
  })

  it('likesOn gives this node’s own likes of a day; applyTally is idempotent and corrects by the difference', async () => {
    const s = service()
    const a = await activity(s)
    const e = await readyEntry(s, a.id, 'author')
    await s.like({ activityId: a.id, entryId: e, voter: voter('v1'), address: 'x' })
    await s.like({ activityId: a.id, entryId: e, voter: voter('v2'), address: 'x' })
    const day = shanghaiDay(clock.now)
    expect(await s.likesOn(a.id, day)).toEqual([{ entry: e, count: 2 }])
    expect(await s.likesOn(a.id, '2026-05-31')).toEqual([])

    // At a hub: another node's entry known from its tally.
    const remote = 'node-b/entry-1'
    await s.upsertRemoteEntry({
      id: remote,
      activity: a.id,
      title: '春晓',
      text: null,
      author: 'node-b/reader-1',
      authorName: '李*',
      library: 'node-b',
      libraryName: '乙图书馆',
      region: '110101',
      status: 'ready',
      audio: null,
      duration: 30,
      createdAt: iso(start),
    })
    const tally = { activity: a.id, node: 'node-b', day, likes: [{ entry: remote, count: 5 }] }
    expect(await s.applyTally(tally)).toBe(true)
    expect(await s.applyTally(tally)).toBe(false)
    let top = await s.ranking(a.id, { scope: 'total', limit: 5 })
    expect(top.entries.map((x) => [x.id, x.likes])).toEqual([
      [remote, 5],
      [e, 2],
    ])
    expect((await s.ranking(a.id, { scope: 'library', of: 'node-b', limit: 5 })).entries.map((x) => x.id)).toEqual([
      remote,
    ])
    // A corrected tally for the same day moves the count by the difference, never adds twice.
    expect(await s.applyTally({ ...tally, likes: [{ entry: remote, count: 1 }] })).toBe(true)
    top = await s.ranking(a.id, { scope: 'total', limit: 5 })
    expect(top.entries.map((x) => [x.id, x.likes])).toEqual([
      [e, 2],
      [remote, 1],
    ])
    // Tallies received are not this node's likes.
    expect(await s.likesOn(a.id, day)).toEqual([{ entry: e, count: 2 }])
    expect((await s.audit(a.id)).filter((r) => r.action === 'tally_applied').map((r) => r.delta)).toEqual([
      { [remote]: 10 },
      { [remote]: -8 },
    ])
    expect(await rankKeys(s, a.id)).toHaveLength(6 + 6)
  })

  it('createFromHub is idempotent and keeps the newer version', async () => {
    const s = service()
    const req = CreateActivityRequest.parse({ kind: 'recitation', title: '全国诵读', phases: {} })
    const hub = {
      id: 'nat-1',
      request: req,
      organiser: { nodeId: 'hub', name: '中心' },
      createdAt: iso(start),
      updatedAt: iso(start),
    }
    await s.createFromHub(hub)
    await s.createFromHub({ ...hub, request: { ...req, title: '新' }, updatedAt: iso(start + 1) })
    await s.createFromHub({ ...hub, request: { ...req, title: '旧' } })
    const list = await s.list()
    expect(list.map((x) => [x.id, x.request.title, x.scope])).toEqual([['nat-1', '新', 'national']])
  })
})

describe('the audio queue', () => {
  it('resumes a job a stopped node left running, and the entry becomes ready with normalised audio', async () => {
    const s = service()
    const a = await activity(s)
    const blobs = new BlobStore(storage, dir, () => clock.now)
    await blobs.init()
    const wav = join(dir, 'in.wav')
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=2', wav], { timeout: 60_000 })
    const staged = await blobs.stage(createReadStream(wav), 10_000_000)
    const src = await staged.commit('audio/wav')
    const e = await s.submitEntry({
      activityId: a.id,
      account: account('author'),
      source: { blob: src.sha256, mediaType: 'audio/wav' },
      duration: 2,
    })
    // As a killed node left it: the job running, the entry processing.
    const job = (await s.store.jobs.get(e.id))!
    await storage.commit([putOp<AudioJob>(s.store.jobs, e.id, { ...job, state: 'running', attempts: 1 })], {
      sync: true,
    })

    const logger = createLogger('silent')
    const queue = new AudioQueue({ activities: s, blobs, tmpDir: join(dir, 'tmp'), logger })
    await queue.start()
    try {
      await queue.idle()
      const done = await s.entry(e.id)
      expect(done.status).toBe('ready')
      expect(done.audio?.mediaType).toBe('audio/mp4')
      expect(done.duration).toBeGreaterThan(1.5)
      expect((await s.store.jobs.get(e.id))?.state).toBe('done')
      // The original is no longer referenced; the normalised audio is.
      const refs = await s.referencedBlobs()
      expect(refs.has(done.audio!.blob)).toBe(true)
      expect(refs.has(src.sha256)).toBe(false)
    } finally {
      await queue.stop()
    }
  })

  it('fails an entry whose job was cut off too often, with the reason', async () => {
    const s = service()
    const a = await activity(s)
    const blobs = new BlobStore(storage, dir, () => clock.now)
    await blobs.init()
    const e = await s.submitEntry({
      activityId: a.id,
      account: account('author'),
      source: { blob: 'c'.repeat(64), mediaType: 'audio/wav' },
      duration: 2,
    })
    const job = (await s.store.jobs.get(e.id))!
    await storage.commit([putOp<AudioJob>(s.store.jobs, e.id, { ...job, state: 'running', attempts: 3 })], {
      sync: true,
    })
    const queue = new AudioQueue({ activities: s, blobs, tmpDir: join(dir, 'tmp'), logger: createLogger('silent') })
    await queue.start()
    try {
      await queue.idle()
      const done = await s.entry(e.id)
      expect(done.status).toBe('failed')
      expect(done.error).toMatch(/after 3 attempts/)
    } finally {
      await queue.stop()
    }
  })
})

describe('entries leaving', () => {
  it('a like waiting for the entry’s lock while the entry is withdrawn counts nothing', async () => {
    const s = service({ voterPerMinute: 1000, addressPerMinute: 100_000 })
    const a = await activity(s)
    const e = await readyEntry(s, a.id, 'author')
    const likes = Array.from({ length: 10 }, (_, i) =>
      code(s.like({ activityId: a.id, entryId: e, voter: voter(`v${i}`), address: 'x' })),
    )
    await s.retireEntry(e, 'withdrawn', 'author')
    const results = await Promise.all(likes)
    const counted = results.filter((r) => r === 'ok').length
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'not_found')).toBe(true)
    // What was counted before the withdrawal is what the audit trail took off; nothing after.
    const audit = await s.audit(a.id)
    expect(audit.at(-1)?.delta).toEqual({ [e]: counted ? -2 * counted : 0 })
    expect((await s.store.counts.get(`${a.id}!t!${e}`)) ?? 0).toBe(2 * counted)
    expect(await rankKeys(s, a.id)).toEqual(counted ? [expect.stringMatching(new RegExp(`^${a.id}!d!`))] : [])
  })
})
