/**
 * Usage statistics on a real node: what readers do over HTTP becomes COUNTER figures for the
 * day, the staff dashboard and SUSHI show them, raw events expire and aggregates stay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StatsSummaryResponse } from '@shulin/protocol'
import { pdf } from '../testing/fixtures.js'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

const phone = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148' }
const desktop = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120' }

describe('usage statistics on a node', () => {
  let t: TempNode
  let staff: Client
  let reader: Client
  let book: string
  let locked: string
  // 2026-12-01 10:00 in Beijing (a Tuesday).
  const start = Date.parse('2026-12-01T02:00:00Z')
  const day = '2026-12-01'

  beforeAll(async () => {
    t = await startTempNode()
    t.clock.now = start
    staff = await signedInAdmin(t)
    const make = async (title: string, access: string) => {
      const r = await staff.post('/api/staff/resources', {
        type: 'book',
        metadata: { title, identifiers: title === '红楼梦' ? ['9787020002207'] : [] },
        access,
      })
      await staff.put(`/api/staff/resources/${r.body.id}/files/content`, pdf(2), { 'content-type': 'application/pdf' })
      await staff.post(`/api/staff/resources/${r.body.id}/publish`)
      return r.body.id as string
    }
    book = await make('红楼梦', 'public')
    locked = await make('内部资料', 'staff')
    reader = new Client(t.node.url, phone)
    expect(
      (await reader.post('/api/auth/register', { mode: 'quick', phone: '13800138000', password: 'reading2026' }))
        .status,
    ).toBe(201)
    expect((await reader.post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })).status).toBe(
      200,
    )
  })
  afterAll(() => t?.close())

  it('counts what readers do by COUNTER rules, once the day is over', async () => {
    expect((await reader.get(`/api/resources/${book}`)).status).toBe(200)
    expect((await reader.get(`/api/resources/${book}/content`)).status).toBe(200)
    t.clock.now += 5_000 // a double click: counts once
    expect((await reader.get(`/api/resources/${book}/content`, { range: 'bytes=0-99' })).status).toBe(206)
    t.clock.now += 60_000
    expect((await reader.get(`/api/resources/${book}/content`)).status).toBe(200)
    expect((await reader.get(`/api/resources/${locked}/content`)).status).toBe(403) // No_License
    expect((await reader.get('/api/search?q=红楼梦')).status).toBe(200)
    expect((await reader.get('/api/search?q=红楼梦&offset=20')).status).toBe(200) // the next page: the same search
    expect((await reader.get('/api/search?q=不存在的书名xyz')).status).toBe(200)
    // A reading app searches through OPDS; its OpenSearch description is no search.
    const app = new Client(t.node.url, { 'user-agent': 'KOReader/2024.04' })
    expect((await app.get('/opds/v1.2/search.xml?q=红楼梦')).status).toBe(200)
    expect((await app.get('/opds/v1.2/opensearch.xml')).status).toBe(200)
    // Somebody without a session on a computer, and a robot that is not counted at all.
    const visitor = new Client(t.node.url, desktop)
    expect((await visitor.get(`/api/resources/${book}`)).status).toBe(200)
    expect(
      (await new Client(t.node.url, { 'user-agent': 'Googlebot/2.1' }).get(`/api/resources/${book}/content`)).status,
    ).toBe(200)
    expect((await visitor.get('/api/resources/nonexistent')).status).toBe(404)

    // Not before the day is over.
    expect(await t.node.stats.service.aggregatePending()).toEqual([])
    t.clock.now = start + 86_400_000
    expect(await t.node.stats.service.aggregatePending()).toEqual([day])
    const agg = (await t.node.stats.service.store.days.get(day))!
    expect(agg.totals).toEqual({
      Total_Item_Investigations: 4, // 2 page views + 2 requests
      Unique_Item_Investigations: 2, // the reader's session and the visitor's
      Unique_Title_Investigations: 2,
      Total_Item_Requests: 2,
      Unique_Item_Requests: 1,
      Unique_Title_Requests: 1,
      No_License: 1,
      Limit_Exceeded: 0,
      Searches_Regular: 3,
      Searches_Platform: 3,
      Sign_Ins: 2, // the admin and the reader
      Registrations: 1,
      Lecture_Plays: 0,
      Seconds_Watched: 0,
    })
    expect(agg.titles[book]).toMatchObject({ Total_Item_Requests: 2 })
    expect(agg.titles[locked]).toMatchObject({ No_License: 1 })
    expect(agg.zeroQueries).toEqual([{ q: '不存在的书名xyz', n: 1 }])
    expect(agg.devices.mobile).toBeGreaterThan(0)
    expect(agg.devices.desktop).toBe(1) // the visitor (the admin's script is 'other', by API)
    expect(agg.methods.api).toBe(1)
    expect(agg.methods.opds).toBe(1)
    expect(agg.devices.other).toBe(2) // the admin's script and the reading app
    expect(agg.hours[10]).toBe(agg.hours.reduce((a, b) => a + b, 0))
    // A second pass finds nothing more to do.
    expect(await t.node.stats.service.aggregatePending()).toEqual([])
  })

  it('shows the staff dashboard its figures, and readers nothing', async () => {
    // A day later the sessions have idled out.
    expect(
      (await staff.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })).status,
    ).toBe(200)
    expect((await reader.post('/api/auth/login', { identifier: '13800138000', password: 'reading2026' })).status).toBe(
      200,
    )
    const r = await staff.get(`/api/staff/stats/summary?from=${day}&to=${day}`)
    expect(r.status).toBe(200)
    expect(r.body.totals.Total_Item_Requests).toBe(2)
    expect(r.body.heatmap[1][10]).toBeGreaterThan(0) // Tuesday, 10:00
    expect(r.body.top[0]).toMatchObject({ id: book, title: '红楼梦', requests: 2 })
    expect(r.body.outbox).toMatchObject({ pending: 1 }) // no hub to send it to
    expect(r.body.member).toBe(false)
    // The schema the dashboard's types come from describes what the route really answers.
    expect(StatsSummaryResponse.strict().safeParse(r.body).error).toBeUndefined()
    expect((await reader.get('/api/staff/stats/summary')).status).toBe(403)
  })

  it('answers COUNTER-SUSHI in JSON and TSV', async () => {
    const status = await new Client(t.node.url).get('/sushi/r5/status')
    expect(status.status).toBe(200)
    expect(status.body[0].Service_Active).toBe(true)
    expect((await new Client(t.node.url).get('/sushi/r5/reports/pr')).status).toBe(401)
    expect(
      (await staff.get('/sushi/r5/reports?release=5')).body.map((r: { Report_ID: string }) => r.Report_ID),
    ).toEqual(['PR', 'TR'])
    const pr = await staff.get('/sushi/r5/reports/pr?begin_date=2026-12&end_date=2026-12&release=5')
    expect(pr.body.Report_Header).toMatchObject({ Report_ID: 'PR', Release: '5', Institution_Name: '书林图书馆' })
    expect(pr.body.Report_Items[0].Performance[0]).toEqual({
      Period: { Begin_Date: '2026-12-01', End_Date: '2026-12-31' },
      Instance: expect.arrayContaining([
        { Metric_Type: 'Searches_Platform', Count: 3 },
        { Metric_Type: 'Total_Item_Requests', Count: 2 },
        { Metric_Type: 'No_License', Count: 1 },
      ]),
    })
    const tr = await staff.get(
      '/sushi/r5/reports/tr?begin_date=2026-12-01&end_date=2026-12-31&metric_type=Total_Item_Requests|Unique_Title_Requests&release=5',
    )
    const item = tr.body.Report_Items.find((i: { Title: string }) => i.Title === '红楼梦')
    expect(item.Item_ID).toContainEqual({ Type: 'ISBN', Value: '9787020002207' })
    expect(item.Performance[0].Instance).toEqual([
      { Metric_Type: 'Total_Item_Requests', Count: 2 },
      { Metric_Type: 'Unique_Title_Requests', Count: 1 },
    ])
    const tsv = await staff.get('/sushi/r5/reports/tr?begin_date=2026-12&end_date=2026-12&release=5', {
      accept: 'text/tab-separated-values',
    })
    expect(tsv.headers.get('content-type')).toMatch(/text\/tab-separated-values/)
    const lines = (tsv.body as string).split('\r\n')
    expect(lines[0]).toBe('Report_Name\tTitle Master Report')
    expect(lines[13]!.split('\t').slice(0, 3)).toEqual(['Title', 'Publisher', 'Publisher_ID'])
    expect(lines).toContainEqual(expect.stringMatching(/^红楼梦\t.*\tTotal_Item_Requests\t2\t2$/))
    const bad = await staff.get('/sushi/r5/reports/pr?begin_date=2026-13')
    expect(bad.status).toBe(400)
    expect(bad.body.Code).toBe(3020)
    const empty = await staff.get('/sushi/r5/reports/pr?begin_date=2025-01&end_date=2025-02&format=json&release=5')
    expect(empty.body.Report_Header.Exceptions).toContainEqual(expect.objectContaining({ Code: 3030 }))
  })

  it('drops raw events after their days, and keeps the aggregates', async () => {
    expect((await t.node.stats.service.store.eventsOf(day)).length).toBeGreaterThan(0)
    t.clock.now = start + 40 * 86_400_000
    await t.node.stats.service.aggregatePending()
    expect(await t.node.stats.service.store.eventsOf(day)).toEqual([])
    expect(await t.node.stats.service.store.salts.get(day)).toBeUndefined()
    expect((await t.node.stats.service.store.days.get(day))!.totals.Total_Item_Requests).toBe(2)
  })
})
