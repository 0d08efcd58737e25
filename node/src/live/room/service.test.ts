/**
 * The rooms' logic with its real parts (LevelDB in a temporary folder, live-core's LiveService)
 * and no sockets: what the relay calls (submit for a member's reader, apply for what the hub's
 * room says, forwardTo for a relayed lecture), offsets while live, the replay's timeline.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RoomAuthor, RoomServerMessage } from '@shulin/protocol'
import { openStorage, type Storage } from '../../storage/db.js'
import { LiveService } from '../service.js'
import { RoomService } from './service.js'
import { roomLectures } from './lectures.js'
import { foldText } from './keywords.js'

let dir: string
let storage: Storage
let live: LiveService
let rooms: RoomService
const clock = { now: Date.parse('2026-12-03T08:00:00Z') }
const hubReader: RoomAuthor = { id: 'r1@12D3KooWHub', name: '读者****0001', library: '国家图书馆' }
const memberReader: RoomAuthor = { id: 'r7@12D3KooWMemberA', name: '小林', library: '绍兴县图书馆' }

async function open() {
  storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
  live = new LiveService({
    storage,
    dataDir: dir,
    nodeId: '12D3KooWHub',
    nodeName: () => '国家图书馆',
    rtmpUrl: () => 'rtmp://127.0.0.1:1935/live',
    now: () => clock.now,
  })
  rooms = new RoomService({ storage, lectures: roomLectures(live), now: () => clock.now })
}

const schedule = async () =>
  (
    await live.create({
      title: '敦煌学',
      start: new Date(clock.now + 60_000).toISOString(),
      speakers: [],
      access: 'public',
    })
  ).liveId

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shulin-room-'))
  await open()
})
afterEach(async () => {
  rooms.stop()
  await storage.close()
  await rm(dir, { recursive: true, force: true })
})

describe('RoomService', () => {
  it('stamps questions asked while live with seconds since the stream began, for the replay', async () => {
    const id = await schedule()
    const before = await rooms.submit(id, hubReader, { type: 'question', text: '开讲前的问题' }, { moderator: false })
    expect(before).toMatchObject({ ok: true, message: { offset: null } })
    await live.setStatus(id, 'live')
    clock.now += 95_500
    const during = await rooms.submit(id, memberReader, { type: 'question', text: '藏经洞' }, { moderator: false })
    expect(during).toMatchObject({ ok: true, message: { offset: 95.5, author: memberReader } })
    await rooms.submit(id, memberReader, { type: 'comment', text: '弹幕不进时间轴' }, { moderator: false })
    const hidden = await rooms.submit(id, hubReader, { type: 'question', text: '离题' }, { moderator: false })
    await rooms.submit(
      id,
      hubReader,
      { type: 'hide', id: (hidden as { message: { id: string } }).message.id },
      {
        moderator: true,
      },
    )
    expect((await rooms.questions(id)).map((q) => [q.text, q.offset])).toEqual([
      ['开讲前的问题', null],
      ['藏经洞', 95.5],
    ])
    // Kept: a node restarted has the same timeline and the same moderators' log.
    rooms.stop()
    await storage.close()
    await open()
    expect((await rooms.questions(id)).map((q) => q.text)).toEqual(['开讲前的问题', '藏经洞'])
    expect((await rooms.acts(id)).map((a) => [a.type, a.by])).toEqual([['hide', hubReader.id]])
  })

  it('broadcasts what the relay applies without judging it again, and keeps it', async () => {
    const id = await schedule()
    const seen: RoomServerMessage[] = []
    const off = rooms.subscribe(id, (m) => seen.push(m))
    // The hub's room said these; a muted-here or filtered-here rule does not apply to them.
    await rooms.setKeywords(['藏经洞'])
    const q: RoomServerMessage = {
      type: 'question',
      id: '01HUBQUESTION0000000000001',
      text: '藏经洞的经卷去了哪里？',
      author: memberReader,
      at: new Date(clock.now).toISOString(),
      offset: 12,
      votes: 0,
      answered: false,
    }
    await rooms.apply(id, q)
    await rooms.apply(id, { type: 'votes', id: q.id, votes: 3 })
    await rooms.apply(id, { type: 'answered', id: q.id })
    await rooms.apply(id, { type: 'delay', ms: 2100, viewers: 40 })
    expect(seen.map((m) => m.type)).toEqual(['question', 'votes', 'answered', 'delay'])
    expect((await rooms.snapshot(id, { moderator: false })).questions).toEqual([{ ...q, votes: 3, answered: true }])
    await rooms.apply(id, { type: 'hidden', id: q.id })
    expect((await rooms.snapshot(id, { moderator: false })).questions).toEqual([])
    expect((await rooms.snapshot(id, { moderator: true })).questions).toHaveLength(1)
    off()
  })

  it('hands a relayed lecture’s messages to the relay, and refuses them when the hub is out of reach', async () => {
    const hubView = live.view(await live.get(await schedule()), 'http://hub.example')
    const mirror = await live.createMirror(
      { ...hubView, id: 'HUBLIVE2' },
      { nodeId: '12D3KooWHub', name: '国家图书馆' },
    )
    const sent: Array<[string, RoomAuthor, string]> = []
    expect(
      await rooms.submit(mirror.id, memberReader, { type: 'question', text: '问' }, { moderator: false }),
    ).toMatchObject({ ok: false, refused: { code: 'forbidden' } })
    const unregister = rooms.forwardTo(async (liveId, author, msg) => {
      sent.push([liveId, author, msg.type])
      return { ok: true, message: null }
    })
    expect(
      await rooms.submit(mirror.id, memberReader, { type: 'question', text: '问' }, { moderator: false }),
    ).toMatchObject({ ok: true })
    // This node's moderators do not moderate the hub's lecture.
    expect(
      await rooms.submit(mirror.id, memberReader, { type: 'slow', seconds: 5 }, { moderator: true }),
    ).toMatchObject({ ok: false, refused: { code: 'forbidden' } })
    // Nothing is kept here before the hub's room sends it back.
    expect(await rooms.questions(mirror.id)).toEqual([])
    // The member's own rate limit still stands before the link to the hub.
    for (let i = 0; i < 10; i++)
      await rooms.submit(mirror.id, memberReader, { type: 'comment', text: `${i}` }, { moderator: false })
    expect(sent).toHaveLength(5)
    expect(sent[0]).toEqual([mirror.id, memberReader, 'question'])
    unregister()
  })

  it('folds text before matching keywords: NFKC, case, spacing and invisible characters', () => {
    expect(foldText('ＳＰＡＭ')).toBe('spam')
    expect(foldText('S p\u200ba\u00a0M')).toBe('spam')
    expect(foldText('Straße')).toBe(foldText('STRASSE'))
    expect(foldText('㊙')).toBe('秘')
  })
})
