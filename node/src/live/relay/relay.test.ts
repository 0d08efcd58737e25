/**
 * The relay built from its components: real LevelDB, real live and room services on each
 * side, real libp2p hosts on loopback, a stub network (who is the hub, who is an active
 * member). The hub's HLS folder is written by the test as ffmpeg would. A member mirrors the
 * lecture, takes each segment once at the live edge, bridges the room both ways, says
 * `reconnecting` when the hub goes away and resumes at the live edge, skipping what it missed.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { askLiveFile, askLiveList, createHost, generateNodeKey, openLiveRoom, type Host } from '@shulin/federation'
import { CreateLiveRequest, type MemberEntry, type RelayState } from '@shulin/protocol'
import { openStorage, type Storage } from '../../storage/db.js'
import { tempDir } from '../../testing/temp-node.js'
import type { DistributionNetwork } from '../../distribution/components.js'
import { LiveService } from '../service.js'
import { RoomService } from '../room/index.js'
import { HubLiveRelay } from './hub.js'
import { MemberLiveRelay } from './member.js'
import { relayStateToRooms } from './rooms.js'

interface Side {
  dir: string
  storage: Storage
  live: LiveService
  rooms: RoomService
  host: Host
  id: string
}

async function side(prefix: string, name: string): Promise<Side> {
  const dir = await tempDir(prefix)
  const storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
  const key = await generateNodeKey()
  const live = new LiveService({ storage, dataDir: dir, nodeName: () => name, nodeId: key.nodeId, rtmpUrl: () => '' })
  const rooms = new RoomService({
    storage,
    // The delay figure every 0.2 s (the rooms' timer runs only in the delay test).
    limits: { delayEveryMs: 200 },
    lectures: {
      get: async (id) => {
        const r = await live.store.get(id)
        return r && { id: r.id, status: r.status, access: r.access, startedAt: r.startedAt, relayed: r.origin !== null }
      },
    },
  })
  const host = await createHost({ privateKey: key.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
  return { dir, storage, live, rooms, host, id: key.nodeId }
}

const playlist = (first: number, last: number, ended = false) =>
  [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:1',
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
    ...Array.from({ length: last - first + 1 }, (_, i) => [`#EXTINF:1.000000,`, `seg${first + i}.ts`]).flat(),
    ...(ended ? ['#EXT-X-ENDLIST'] : []),
  ].join('\n') + '\n'

describe('live relay', () => {
  let hub: Side
  let member: Side
  let hubRelay: HubLiveRelay
  let relay: MemberLiveRelay
  let liveId: string
  let hls: string
  const states: RelayState[] = []
  /** What the member's room told its clients. */
  const told: string[] = []

  const hubNetwork = (): Pick<DistributionNetwork, 'whenHost' | 'entry'> => ({
    whenHost: async (fn) => fn(hub.host),
    entry: (id) =>
      id === member.id ? ({ status: 'active', name: '临安县图书馆' } as unknown as MemberEntry) : undefined,
  })
  const writeHub = async (first: number, last: number, ended = false) => {
    for (let i = first; i <= last; i++) await writeFile(join(hls, `seg${i}.ts`), `segment ${i}`.padEnd(188, '.'))
    await writeFile(join(hls, 'index.m3u8'), playlist(first, last, ended))
  }
  const memberFiles = async () => (await readdir(member.live.hlsDir(liveId)).catch(() => [])).sort()

  beforeAll(async () => {
    ;[hub, member] = await Promise.all([side('shulin-relay-hub-', '国家图书馆'), side('shulin-relay-member-', '县馆')])
    const created = await hub.live.create(
      CreateLiveRequest.parse({ title: '宋词里的四季', start: '2026-12-03T10:00:00+08:00' }),
    )
    liveId = created.liveId
    await hub.live.setStatus(liveId, 'live')
    hls = hub.live.hlsDir(liveId)
    await mkdir(hls, { recursive: true })
    await writeHub(0, 4)
    hubRelay = new HubLiveRelay({ network: hubNetwork(), live: hub.live, rooms: hub.rooms })
    await hubRelay.start()
    relay = new MemberLiveRelay(
      {
        network: {
          whenHost: async (fn) => fn(member.host),
          hubPeer: async () => ({ hub: hub.id, addrs: hub.host.getMultiaddrs().map(String) }),
        },
        live: member.live,
        rooms: member.rooms,
      },
      { listEveryMs: 200, maxBackoffMs: 400 },
    )
    relay.onState((id, s) => id === liveId && states.push(s))
    member.rooms.forwardTo((id, author, msg) => relay.submit(id, author, msg))
    relayStateToRooms(relay, member.rooms)
    member.rooms.subscribe(liveId, (msg) => void told.push(msg.type))
    await relay.start()
  }, 30_000)

  afterAll(async () => {
    relay?.stop()
    await hubRelay?.stop()
    for (const s of [hub, member]) {
      await s?.host.stop()
      await s?.storage.close()
      await rm(s?.dir ?? '/nonexistent', { recursive: true, force: true })
    }
  })

  it('mirrors the lecture and takes each segment once, from the live edge', async () => {
    await expect.poll(async () => (await member.live.store.get(liveId))?.status, { timeout: 10_000 }).toBe('live')
    const mirror = await member.live.store.get(liveId)
    expect(mirror?.origin).toEqual({ nodeId: hub.id, name: '国家图书馆' })
    expect(mirror?.title).toBe('宋词里的四季')
    // The last three of five: what came before the edge is never fetched.
    expect(await memberFiles()).toEqual(['index.m3u8', 'seg2.ts', 'seg3.ts', 'seg4.ts'])
    expect(await readFile(join(member.live.hlsDir(liveId), 'seg4.ts'), 'utf8')).toMatch(/^segment 4/)
    await writeHub(1, 6)
    await expect.poll(memberFiles, { timeout: 10_000 }).toContain('seg6.ts')
    // Several more rounds: still one fetch per segment.
    await new Promise((r) => setTimeout(r, 1500))
    expect(hubRelay.counts()[member.id]).toMatchObject({ segments: 5, distinct: 5 })
    const own = await readFile(join(member.live.hlsDir(liveId), 'index.m3u8'), 'utf8')
    expect(own).toContain('#EXT-X-MEDIA-SEQUENCE:2')
    expect(own).not.toContain('seg1.ts')
    expect(relay.counts(liveId)).toMatchObject({ state: 'connected', segments: 5, skipped: 2 })
  })

  it("carries a member's reader's question to the hub's room, and the hub's hide back", async () => {
    const rooms = member.rooms
    const author = { id: `acc1@${member.id}`, name: '读者****1234', library: '县馆' }
    const asked = await rooms.submit(liveId, author, { type: 'question', text: '词牌是什么?' }, { moderator: false })
    expect(asked).toMatchObject({ ok: true })
    await expect.poll(async () => (await hub.rooms.questions(liveId)).map((q) => q.text)).toEqual(['词牌是什么?'])
    const [q] = await hub.rooms.questions(liveId)
    // The hub names the library from its registry, not from what the member said.
    expect(q!.author).toEqual({ id: `acc1@${member.id}`, name: '读者****1234', library: '临安县图书馆' })
    await expect.poll(async () => (await member.rooms.snapshot(liveId, { moderator: false })).questions.length).toBe(1)

    // A member moderator cannot moderate the hub's room; a reader of another library cannot be forged.
    expect(await rooms.submit(liveId, author, { type: 'hide', id: q!.id }, { moderator: true })).toMatchObject({
      ok: false,
      refused: { code: 'forbidden' },
    })
    const forged = await rooms.submit(
      liveId,
      { ...author, id: `acc1@${hub.id}` },
      { type: 'question', text: '冒名' },
      { moderator: false },
    )
    expect(forged).toMatchObject({ ok: false, refused: { code: 'forbidden' } })

    const mod = { id: `mod@${hub.id}`, name: '主持人', library: '国家图书馆' }
    expect(await hub.rooms.submit(liveId, mod, { type: 'hide', id: q!.id }, { moderator: true })).toMatchObject({
      ok: true,
    })
    await expect.poll(async () => (await member.rooms.snapshot(liveId, { moderator: false })).questions.length).toBe(0)
  })

  it("shows the hub's moderators the member's viewers' delay too, weighted by viewers", async () => {
    const figures: { ms: number; viewers: number }[] = []
    const off = hub.rooms.subscribe(liveId, (msg, audience) => {
      if (msg.type === 'delay' && audience === 'moderators') figures.push({ ms: msg.ms, viewers: msg.viewers })
    })
    hub.rooms.start()
    member.rooms.start()
    try {
      const viewer = (id: string, library: string) => ({ id, name: '读者', library })
      const ping = (rooms: RoomService, id: string, ms: number) =>
        rooms.submit(liveId, viewer(id, ''), { type: 'ping', at: Date.now() - ms }, { moderator: false })
      // Two viewers at the member (2 s and 4 s behind: median 3 s), one at the hub (0.6 s).
      await ping(member.rooms, `m1@${member.id}`, 2000)
      await ping(member.rooms, `m2@${member.id}`, 4000)
      await ping(hub.rooms, `h1@${hub.id}`, 600)
      await expect.poll(() => figures.at(-1)?.viewers, { timeout: 5_000 }).toBe(3)
      // (600 + 3000 × 2) / 3 = 2200, give or take the milliseconds the pings took.
      expect(figures.at(-1)!.ms).toBeGreaterThanOrEqual(2200)
      expect(figures.at(-1)!.ms).toBeLessThan(2400)
    } finally {
      off()
      hub.rooms.stop()
      member.rooms.stop()
    }
  })

  it('says reconnecting while the hub is away, then resumes at the live edge, skipping what it missed', async () => {
    const author = { id: `acc2@${member.id}`, name: '读者****5678', library: '县馆' }
    const asked = { type: 'question', text: '下阕何解?' } as const
    expect(await member.rooms.submit(liveId, author, asked, { moderator: false })).toMatchObject({ ok: true })
    await expect.poll(async () => (await member.rooms.snapshot(liveId, { moderator: false })).questions.length).toBe(1)
    const [q] = (await hub.rooms.questions(liveId)).filter((x) => x.text === asked.text)
    await hubRelay.stop()
    await expect.poll(() => states.at(-1), { timeout: 10_000 }).toBe('reconnecting')
    // Hidden on the hub while the member is away.
    const mod = { id: `mod@${hub.id}`, name: '主持人', library: '国家图书馆' }
    expect(await hub.rooms.submit(liveId, mod, { type: 'hide', id: q!.id }, { moderator: true })).toMatchObject({
      ok: true,
    })
    expect(told).toContain('relay')
    const seen = { ...hubRelay.counts()[member.id]! }
    // Long enough for the playlist pulls to fail too (every 0.25–0.4 s while away), not only the room.
    await new Promise((r) => setTimeout(r, 1500))
    // The stream goes on meanwhile: seg7…seg12 come and go.
    await writeHub(8, 12)
    hubRelay = new HubLiveRelay({ network: hubNetwork(), live: hub.live, rooms: hub.rooms })
    await hubRelay.start()
    await expect.poll(() => states.at(-1), { timeout: 10_000 }).toBe('connected')
    await expect.poll(async () => (await member.rooms.snapshot(liveId, { moderator: false })).questions.length).toBe(0)
    await expect.poll(memberFiles, { timeout: 10_000 }).toContain('seg12.ts')
    const files = await memberFiles()
    expect(files).not.toContain('seg8.ts')
    expect(files).not.toContain('seg9.ts')
    // Only the edge was fetched after the return (the counts start again with the new server).
    expect(hubRelay.counts()[member.id]).toMatchObject({ segments: 3, distinct: 3 })
    expect(seen.segments).toBe(5)
    const own = await readFile(join(member.live.hlsDir(liveId), 'index.m3u8'), 'utf8')
    expect(own).toContain('#EXT-X-MEDIA-SEQUENCE:10')
  })

  it('answers nobody but its active members', async () => {
    const stranger = await createHost({ privateKey: (await generateNodeKey()).privateKey, listen: [] })
    try {
      const addrs = hub.host.getMultiaddrs().map(String)
      await expect(askLiveList(stranger, addrs)).rejects.toMatchObject({ reason: 'not_member' })
      await expect(
        askLiveFile(stranger, addrs, { want: 'segment', live: liveId, name: 'seg12.ts' }),
      ).rejects.toMatchObject({ reason: 'not_member' })
      await expect(
        openLiveRoom(stranger, addrs, { live: liveId }, { message() {}, closed() {} }),
      ).rejects.toMatchObject({ reason: 'not_member' })
      expect(hubRelay.counts()[stranger.peerId.toString()]).toBeUndefined()
    } finally {
      await stranger.stop()
    }
  })

  it("never relays a lecture for the hub's own readers", async () => {
    const own = await hub.live.create(
      CreateLiveRequest.parse({ title: '馆员培训', start: '2026-12-03T10:00:00+08:00', access: 'node-readers' }),
    )
    await hub.live.setStatus(own.liveId, 'live')
    await mkdir(hub.live.hlsDir(own.liveId), { recursive: true })
    await writeFile(join(hub.live.hlsDir(own.liveId), 'index.m3u8'), playlist(0, 0))
    await writeFile(join(hub.live.hlsDir(own.liveId), 'seg0.ts'), 'staff only')
    await new Promise((r) => setTimeout(r, 600))
    expect(await member.live.store.get(own.liveId)).toBeUndefined()
    const addrs = hub.host.getMultiaddrs().map(String)
    await expect(
      askLiveFile(member.host, addrs, { want: 'segment', live: own.liveId, name: 'seg0.ts' }),
    ).rejects.toMatchObject({ reason: 'unknown' })
    await expect(
      openLiveRoom(member.host, addrs, { live: own.liveId }, { message() {}, closed() {} }),
    ).rejects.toMatchObject({ reason: 'unknown' })
  })

  it('ends the mirror when the hub ends the lecture, with the end mark in its playlist', async () => {
    await writeHub(8, 13, true)
    await hub.live.setStatus(liveId, 'ended')
    await expect.poll(async () => (await member.live.store.get(liveId))?.status, { timeout: 10_000 }).toBe('ended')
    expect(await readFile(join(member.live.hlsDir(liveId), 'index.m3u8'), 'utf8')).toContain('#EXT-X-ENDLIST')
  })
})
