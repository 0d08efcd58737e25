/**
 * Roll-ups between a hub and a member whose clocks disagree (README "Clocks"), over libp2p
 * between two nodes with their own clocks. Ten minutes ahead, a member's day reaches the hub
 * the moment it ends there. Two days ahead, the member's "yesterday" has not begun anywhere on
 * Earth by the hub's clock: the hub refuses it as future-dated and says so in its log, the
 * member keeps it in its queue and says "clock skew" in its own, nothing is counted, and the
 * day goes through once the hub's clock has passed it. Clocks are set, not waited for.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { signedInAdmin, startTempNode, type TempNode } from '../../node/src/testing/temp-node.js'

const minute = 60_000
const day = 86_400_000

/** A logger whose warnings land in `lines`. */
function capture(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = []
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) })
  return { logger: pino({ level: 'warn' }, sink), lines }
}

describe('roll-ups across skewed clocks', () => {
  const nodes: TempNode[] = []
  afterAll(async () => {
    for (const n of nodes.reverse()) await n.close()
  })

  it(
    'ten minutes ahead: taken; two days ahead: held at the member, refused by the hub, both logged, taken once the day has passed',
    { timeout: 60_000 },
    async () => {
      const hubLog = capture()
      const memberLog = capture()
      const hub = await startTempNode({ role: 'hub', name: '国家数字图书馆' }, { logger: hubLog.logger })
      const member = await startTempNode({ name: '临安县图书馆' }, { logger: memberLog.logger })
      nodes.push(hub, member)
      // 23:00 in China on 20 November, both clocks right.
      const t0 = Date.parse('2026-11-20T15:00:00Z')
      hub.clock.now = member.clock.now = t0
      const invite = await (
        await signedInAdmin(hub)
      ).post('/api/staff/federation/invites', {
        name: '临安县图书馆',
        region: '330185',
        level: 'county',
        validHours: 1,
      })
      expect(
        (await (await signedInAdmin(member)).post('/api/staff/federation/join', { invite: invite.body.invite })).status,
      ).toBe(200)
      const { service, pusher } = member.node.stats
      const read = (n: number) => {
        for (let i = 0; i < n; i++) service.record({ k: 'content', r: `book${i}`, d: 'mobile', m: 'web' }, `reader${i}`)
      }
      const reports = async (from: string, to: string) => (await hub.node.stats.hub!.summary('all', from, to)).reports

      // Ten minutes ahead: the member's midnight comes at 23:50 on the hub; the day is taken at once.
      read(4)
      hub.clock.now = Date.parse('2026-11-20T15:52:00Z')
      member.clock.now = hub.clock.now + 10 * minute
      await service.aggregatePending()
      expect(await pusher!.pushNow()).toMatchObject({ sent: 1, pending: 0 })
      expect(await reports('2026-11-20', '2026-11-20')).toBe(1)

      // Two days ahead: readers late on the member's 22 November (the hub's 20th, 23:52), pushed
      // after the member's midnight (the hub's 21st, 00:02).
      member.clock.now = hub.clock.now + 2 * day
      read(6)
      hub.clock.now += 10 * minute
      member.clock.now = hub.clock.now + 2 * day
      await service.aggregatePending()
      expect(await pusher!.pushNow()).toMatchObject({ sent: 0, refused: 0, pending: 1 })
      expect(await reports('2026-11-21', '2026-11-30')).toBe(0)
      expect(memberLog.lines.join('')).toMatch(/clock skew.*2026-11-22/)
      expect(hubLog.lines.join('')).toMatch(/clock skew.*2026-11-22/)
      // Still held, not dropped, at the next attempt, and warned about once.
      expect(await pusher!.pushNow()).toMatchObject({ sent: 0, pending: 1 })
      expect(memberLog.lines.filter((l) => /clock skew/.test(l))).toHaveLength(1)

      // Once the 22nd has ended on the hub too, it goes through, counted once.
      hub.clock.now = Date.parse('2026-11-22T16:02:00Z')
      expect(await pusher!.pushNow()).toMatchObject({ sent: 1, pending: 0 })
      expect(await pusher!.pushNow()).toMatchObject({ sent: 0, pending: 0 })
      expect((await hub.node.stats.hub!.summary('all', '2026-11-22', '2026-11-22')).totals.Total_Item_Requests).toBe(6)
    },
  )
})
