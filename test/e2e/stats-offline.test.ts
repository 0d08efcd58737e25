/**
 * A member library that loses the hub for a week keeps counting; each finished day waits in its
 * queue; when the hub is back (a real restart, same folder and peer port) the member's next push
 * delivers the whole week over libp2p, and the hub's figures equal the member's, day by day.
 * Clocks are moved, not waited for.
 */
import { rm } from 'node:fs/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { nextDay } from '@shulin/protocol'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../../node/src/testing/temp-node.js'
import { freePort } from '../../node/src/testing/free-port.js'

describe('a member offline for a week', () => {
  let hub: TempNode | undefined
  let member: TempNode | undefined
  let hubDir: string
  afterAll(async () => {
    await member?.close()
    await hub?.close()
    if (hubDir) await rm(hubDir, { recursive: true, force: true })
  })

  it('catches up on reconnection', { timeout: 60_000 }, async () => {
    const start = Date.parse('2026-11-20T02:00:00Z')
    hubDir = await tempDir()
    const p2pPort = await freePort()
    hub = await startTempNode({ role: 'hub', name: '国家数字图书馆', dataDir: hubDir, p2pPort })
    member = await startTempNode({ name: '临安县图书馆' })
    hub.clock.now = member.clock.now = start
    const hubAdmin = await signedInAdmin(hub)
    const memberAdmin = await signedInAdmin(member)
    const invite = await hubAdmin.post('/api/staff/federation/invites', {
      name: '临安县图书馆',
      region: '330185',
      level: 'county',
      validHours: 1,
    })
    expect(invite.status).toBe(201)
    expect((await memberAdmin.post('/api/staff/federation/join', { invite: invite.body.invite })).status).toBe(200)

    const stats = member.node.stats
    // n readers each open a book today.
    const readOn = (n: number) => {
      for (let i = 0; i < n; i++)
        stats.service.record({ k: 'content', r: `book${i % 3}`, d: 'mobile', m: 'web' }, `reader${i}`)
    }
    const moveTo = async (t: number) => {
      member!.clock.now = t
      if (hub) hub.clock.now = t
      await stats.service.aggregatePending()
    }
    // Day 0 reaches the hub while it is there.
    readOn(5)
    await moveTo(start + 86_400_000)
    expect(await stats.pusher!.pushNow()).toMatchObject({ sent: 1, pending: 0 })

    // The hub goes away for a week; the library keeps serving and counting.
    await hub.close()
    hub = undefined
    const perDay = [3, 8, 1, 13, 21, 2, 7]
    for (const [d, n] of perDay.entries()) {
      readOn(n)
      await moveTo(start + (d + 2) * 86_400_000)
      const r = await stats.pusher!.pushNow()
      expect(r.error).toMatch(/cannot reach the hub/)
      expect(r.pending).toBe(d + 1)
    }
    // A day re-aggregated while offline (a late event) goes with its next revision.
    const firstOffline = nextDay('2026-11-20', 1)
    await stats.service.aggregate(firstOffline)

    // The hub is back, same folder and peer port; the next push delivers the week.
    hub = await startTempNode({ role: 'hub', name: '国家数字图书馆', dataDir: hubDir, p2pPort })
    hub.clock.now = member.clock.now
    expect(await stats.pusher!.pushNow()).toMatchObject({ sent: 7, pending: 0 })
    const national = await hub.node.stats.hub!.summary('all', '2026-11-01', '2026-11-30')
    expect(national.reports).toBe(8)
    expect(national.totals.Total_Item_Requests).toBe(5 + perDay.reduce((a, b) => a + b, 0))
    const county = await hub.node.stats.hub!.summary('c:3301', '2026-11-01', '2026-11-30')
    expect(county.days.map((d) => d.totals.Total_Item_Requests)).toEqual([5, ...perDay])
    const held = await hub.node.stats.hub!.memberDays(member.node.nodeId, firstOffline, firstOffline)
    expect(held[0]!.revision).toBe(2)
    // Nothing more to send, and sending again changes nothing.
    expect(await stats.pusher!.pushNow()).toMatchObject({ sent: 0, pending: 0 })

    // The hub's SUSHI: its members, the nation's platform report and one member's.
    const operator = await signedInAdmin(hub).catch(async () => {
      const c = new Client(hub!.node.url)
      expect(
        (await c.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })).status,
      ).toBe(200)
      return c
    })
    const sushiMembers = await operator.get('/sushi/r5/members')
    expect(sushiMembers.body).toEqual([
      expect.objectContaining({ Customer_ID: member.node.nodeId, Name: '临安县图书馆' }),
    ])
    const total = 5 + perDay.reduce((a, b) => a + b, 0)
    const requestsIn = (report: {
      Report_Items: Array<{ Performance: Array<{ Instance: Array<{ Metric_Type: string; Count: number }> }> }>
    }) =>
      report.Report_Items.flatMap((i) => i.Performance.flatMap((p) => p.Instance))
        .filter((i) => i.Metric_Type === 'Total_Item_Requests')
        .reduce((a, i) => a + i.Count, 0)
    const nation = await operator.get('/sushi/r5/reports/pr?begin_date=2026-11&end_date=2026-11&release=5')
    expect(nation.body.Report_Header.Institution_Name).toBe('国家数字图书馆')
    expect(requestsIn(nation.body)).toBe(total)
    const one = await operator.get(
      `/sushi/r5/reports/pr?begin_date=2026-11&end_date=2026-11&release=5&customer_id=${member.node.nodeId}`,
    )
    expect(one.body.Report_Header).toMatchObject({ Institution_Name: '临安县图书馆', Customer_ID: member.node.nodeId })
    expect(requestsIn(one.body)).toBe(total)
    expect(
      requestsIn((await operator.get('/sushi/r5/reports/tr?begin_date=2026-11&end_date=2026-11&release=5')).body),
    ).toBe(total)
    // A consortium's harvester with the hub's SUSHI credential: the members, then one member's
    // platform report in Release 5.1 (the default).
    const cred = await operator.post('/api/staff/sushi/credentials', { name: '省中心统计平台' })
    expect(cred.status).toBe(201)
    const auth = `requestor_id=${cred.body.requestor_id}&api_key=${cred.body.api_key}`
    const harvester = new Client(hub.node.url)
    const members51 = await harvester.get(`/sushi/r51/members?customer_id=${cred.body.customer_id}&${auth}`)
    expect(members51.status).toBe(200)
    expect(members51.body).toEqual([
      expect.objectContaining({
        Customer_ID: member.node.nodeId,
        Institution_ID: { Proprietary: [`shulin:${member.node.nodeId}`] },
      }),
    ])
    const pr51 = await harvester.get(
      `/sushi/r5/reports/pr?customer_id=${member.node.nodeId}&${auth}&begin_date=2026-11&end_date=2026-11`,
    )
    expect(pr51.body.Report_Header).toMatchObject({ Release: '5.1', Institution_Name: '临安县图书馆' })
    expect(pr51.body.Report_Items[0].Attribute_Performance[0].Performance.Total_Item_Requests).toEqual({
      '2026-11': total,
    })
    // An institution the hub does not know: COUNTER's 2010, 403.
    const stranger = await operator.get(
      '/sushi/r5/reports/pr?customer_id=someone-else&begin_date=2026-11&end_date=2026-11',
    )
    expect(stranger.status).toBe(403)
    expect(stranger.body.Code).toBe(2010)
    const csv = (await operator.get('/api/hub/stats/indicators.csv?year=2026')).body as string
    expect(csv.split('\r\n')[1]).toContain(
      `2026,${member.node.nodeId},临安县图书馆,330185,county,active,${total},${total},0,1,0,8,100,`,
    ) // one sign-in: the member's admin, on day 0
  })
})
