/**
 * COUNTER-SUSHI as harvesters call it, on a real node: credentials made by staff, every path
 * answering `customer_id` + `requestor_id` + `api_key`, Release 5.1 by default (5 on request),
 * and each refusal the COUNTER exception with its code and HTTP status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pdf } from '../testing/fixtures.js'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

describe('SUSHI for harvesters', () => {
  let t: TempNode
  let staff: Client
  let harvester: Client
  let cred: { customer_id: string; requestor_id: string; api_key: string }
  let auth: string
  const start = Date.parse('2026-12-01T02:00:00Z')

  beforeAll(async () => {
    t = await startTempNode()
    t.clock.now = start
    staff = await signedInAdmin(t)
    const r = await staff.post('/api/staff/resources', {
      type: 'book',
      metadata: { title: '红楼梦', identifiers: ['9787020002207'], publisher: '人民文学出版社', date: '1982' },
      access: 'public',
    })
    await staff.put(`/api/staff/resources/${r.body.id}/files/content`, pdf(2), { 'content-type': 'application/pdf' })
    await staff.post(`/api/staff/resources/${r.body.id}/publish`)
    const visitor = new Client(t.node.url, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120' })
    expect((await visitor.get(`/api/resources/${r.body.id}`)).status).toBe(200)
    expect((await visitor.get(`/api/resources/${r.body.id}/content`)).status).toBe(200)
    expect((await visitor.get('/api/search?q=红楼梦')).status).toBe(200)
    t.clock.now = start + 86_400_000
    expect(await t.node.stats.service.aggregatePending()).toEqual(['2026-12-01'])
    harvester = new Client(t.node.url)
    // A day later the browser session has lapsed: staff sign in again.
    staff = new Client(t.node.url)
    const login = await staff.post('/api/auth/login', { identifier: 'libadmin', password: 'county-library-2026' })
    expect(login.status).toBe(200)
  })
  afterAll(() => t?.close())

  it('lets staff make a credential, shown once and listed without its key', async () => {
    const made = await staff.post('/api/staff/sushi/credentials', { name: 'CALIS 统计平台' })
    expect(made.status).toBe(201)
    cred = made.body
    expect(Object.keys(cred).sort()).toEqual(['api_key', 'customer_id', 'requestor_id'])
    expect(cred.customer_id).toBe(t.node.nodeId)
    auth = `customer_id=${cred.customer_id}&requestor_id=${cred.requestor_id}&api_key=${cred.api_key}`
    const list = await staff.get('/api/staff/sushi/credentials')
    expect(list.body).toEqual([expect.objectContaining({ requestor_id: cred.requestor_id, name: 'CALIS 统计平台' })])
    expect(JSON.stringify(list.body)).not.toContain(cred.api_key)
    expect((await staff.post('/api/staff/sushi/credentials', { name: '' })).status).toBe(400)
    // A reader is not staff: no credentials for them.
    const reader = new Client(t.node.url)
    expect((await reader.post('/api/staff/sushi/credentials', { name: 'x' })).status).toBe(401)
  })

  it('answers a harvester in Release 5.1: header, Attribute_Performance, TSV', async () => {
    const status = await harvester.get('/sushi/r51/status')
    expect(status.status).toBe(200)
    expect(status.body[0].Service_Active).toBe(true)
    const list = await harvester.get(`/sushi/r51/reports?${auth}`)
    expect(list.status).toBe(200)
    expect(list.body).toEqual([
      expect.objectContaining({ Report_ID: 'PR', Release: '5.1', Report_Name: 'Platform Report' }),
      expect.objectContaining({ Report_ID: 'TR', Release: '5.1', Report_Name: 'Title Report' }),
    ])

    const pr = await harvester.get(`/sushi/r5/reports/pr?${auth}&begin_date=2026-11&end_date=2026-12`)
    expect(pr.status).toBe(200)
    expect(pr.body.Report_Header).toMatchObject({
      Release: '5.1',
      Report_ID: 'PR',
      Report_Name: 'Platform Report',
      Institution_ID: { Proprietary: [`shulin:${t.node.nodeId}`] },
      Report_Filters: { Begin_Date: '2026-11-01', End_Date: '2026-12-31' },
    })
    expect(pr.body.Report_Header.Created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(pr.body.Report_Header.Exceptions).toEqual([
      { Code: 3031, Message: 'Usage Not Ready for Requested Dates', Data: expect.stringContaining('2026-12-02') },
    ])
    expect(pr.body.Report_Items).toEqual([
      {
        Platform: '书林图书馆',
        // 5.1 always shows Data_Type: the book's reads are "Book", searches the "Platform"'s.
        Attribute_Performance: [
          {
            Data_Type: 'Book',
            Performance: expect.objectContaining({
              Total_Item_Requests: { '2026-12': 1 },
              Total_Item_Investigations: { '2026-12': 2 },
            }),
          },
          { Data_Type: 'Platform', Performance: { Searches_Platform: { '2026-12': 1 } } },
        ],
      },
    ])

    const tr = await harvester.get(
      `/sushi/r51/reports/tr?${auth}&begin_date=2026-12-01&end_date=2026-12-31&attributes_to_show=Data_Type|YOP&metric_type=Total_Item_Requests`,
    )
    expect(tr.body.Report_Header.Report_Attributes).toEqual({ Attributes_To_Show: ['YOP'] }) // Data_Type: always
    expect(tr.body.Report_Header.Report_Filters.Metric_Type).toEqual(['Total_Item_Requests'])
    expect(tr.body.Report_Items).toEqual([
      {
        Title: '红楼梦',
        Item_ID: expect.objectContaining({ ISBN: '9787020002207' }),
        Platform: '书林图书馆',
        Publisher: '人民文学出版社',
        Attribute_Performance: [
          { Data_Type: 'Book', YOP: '1982', Performance: { Total_Item_Requests: { '2026-12': 1 } } },
        ],
      },
    ])

    const tsv = await harvester.get(
      `/sushi/r51/reports/tr?${auth}&begin_date=2026-12&end_date=2026-12&attributes_to_show=YOP&format=tsv`,
    )
    expect(tsv.headers.get('content-type')).toMatch(/^text\/tab-separated-values/)
    const lines = (tsv.body as string).split('\r\n')
    expect(lines.slice(0, 3)).toEqual(['Report_Name\tTitle Report', 'Report_ID\tTR', 'Release\t5.1'])
    expect(lines[7]).toBe('Report_Attributes\tAttributes_To_Show=YOP')
    expect(lines[12]).toBe('Registry_Record\t')
    expect(lines[13]).toBe('')
    expect(lines[14]!.split('\t')).toEqual([
      'Title',
      'Publisher',
      'Publisher_ID',
      'Platform',
      'DOI',
      'Proprietary_ID',
      'ISBN',
      'Print_ISSN',
      'Online_ISSN',
      'URI',
      'Data_Type',
      'YOP',
      'Metric_Type',
      'Reporting_Period_Total',
      'Dec-2026',
    ])
    expect(lines).toContainEqual(
      expect.stringMatching(/^红楼梦\t人民文学出版社\t.*\tBook\t1982\tTotal_Item_Requests\t1\t1$/),
    )
  })

  it('keeps Release 5 on request', async () => {
    const pr = await harvester.get(`/sushi/r5/reports/pr?${auth}&begin_date=2026-12&end_date=2026-12&release=5`)
    expect(pr.body.Report_Header).toMatchObject({ Release: '5', Report_Name: 'Platform Master Report' })
    expect(pr.body.Report_Items[0].Performance[0].Instance).toContainEqual({
      Metric_Type: 'Total_Item_Requests',
      Count: 1,
    })
    expect(pr.body.Report_Header.Exceptions[0]).toMatchObject({ Code: 3031, Severity: 'Warning' })
  })

  it('refuses with COUNTER exception codes', async () => {
    const dates = 'begin_date=2026-12&end_date=2026-12'
    const expectRefusal = async (path: string, status: number, code: number, message: string) => {
      const r = await harvester.get(path)
      expect({ path, status: r.status, code: r.body.Code, message: r.body.Message }).toEqual({
        path,
        status,
        code,
        message,
      })
      expect(r.body.Severity).toBeUndefined() // 5.1 dropped it
    }
    const c = `customer_id=${cred.customer_id}`
    await expectRefusal(`/sushi/r51/reports/pr?${c}&${dates}`, 401, 2000, 'Requestor Not Authorized to Access Service')
    await expectRefusal(
      `/sushi/r51/reports/pr?${c}&requestor_id=nobody&api_key=${cred.api_key}&${dates}`,
      401,
      2000,
      'Requestor Not Authorized to Access Service',
    )
    await expectRefusal(
      `/sushi/r51/reports/pr?${c}&requestor_id=${cred.requestor_id}&api_key=wrong&${dates}`,
      401,
      2020,
      'APIKey Invalid',
    )
    await expectRefusal(
      `/sushi/r51/reports/tr?${c}&requestor_id=${cred.requestor_id}&${dates}`,
      401,
      2020,
      'APIKey Invalid',
    )
    await expectRefusal(
      `/sushi/r51/reports/pr?${c}&api_key=${cred.api_key}&${dates}`,
      400,
      1030,
      'Insufficient Information to Process Request',
    )
    await expectRefusal(
      `/sushi/r51/reports/pr?requestor_id=${cred.requestor_id}&api_key=${cred.api_key}&${dates}`,
      400,
      1030,
      'Insufficient Information to Process Request',
    )
    await expectRefusal(
      `/sushi/r51/reports/pr?customer_id=another-library&requestor_id=${cred.requestor_id}&api_key=${cred.api_key}&${dates}`,
      403,
      2010,
      'Requestor is Not Authorized to Access Usage for Institution',
    )
    // A library, not a hub: no member list (a wrong path is a 404, as COUNTER says).
    expect((await harvester.get(`/sushi/r51/members?${auth}`)).status).toBe(404)
    expect((await harvester.get(`/sushi/r51/reports/dr?${auth}`)).status).toBe(404)
    await expectRefusal(
      `/sushi/r51/reports/pr?${auth}&begin_date=2026-12`,
      400,
      1030,
      'Insufficient Information to Process Request',
    )
    await expectRefusal(
      `/sushi/r51/reports/pr?${auth}&begin_date=2026-13&end_date=2026-12`,
      400,
      3020,
      'Invalid Date Arguments',
    )
    await expectRefusal(
      `/sushi/r51/reports/pr?${auth}&begin_date=2026-12&end_date=2026-01`,
      400,
      3020,
      'Invalid Date Arguments',
    )
    await expectRefusal(`/sushi/r51/reports?${c}`, 401, 2000, 'Requestor Not Authorized to Access Service')

    // Mistakes that do not stop the report: 200, with the exceptions in its header.
    const odd = await harvester.get(
      `/sushi/r51/reports/tr?${auth}&${dates}&metric_type=Total_Item_Requests|Hugs&attributes_to_show=Colour&granularity=Totals`,
    )
    expect(odd.status).toBe(200)
    expect(odd.body.Report_Header.Exceptions.map((e: { Code: number }) => e.Code)).toEqual([3050, 3060, 3062, 3031])
    expect(odd.body.Report_Header.Exceptions[0]).toEqual({
      Code: 3050,
      Message: 'Parameter Not Recognized in this Context',
      Data: 'granularity',
    })
    const empty = await harvester.get(`/sushi/r51/reports/pr?${auth}&begin_date=2025-01&end_date=2025-02`)
    expect(empty.status).toBe(200)
    expect(empty.body.Report_Items).toEqual([])
    expect(empty.body.Report_Header.Exceptions).toEqual([
      expect.objectContaining({ Code: 3030, Message: 'No Usage Available for Requested Dates' }),
    ])
  })

  it('refuses a revoked credential from then on', async () => {
    const path = `/sushi/r51/reports/pr?${auth}&begin_date=2026-12&end_date=2026-12`
    expect((await harvester.get(path)).status).toBe(200)
    const del = await staff.call('DELETE', `/api/staff/sushi/credentials/${cred.requestor_id}`)
    expect(del.status).toBe(204)
    const after = await harvester.get(path)
    expect(after.status).toBe(401)
    expect(after.body.Code).toBe(2000)
    expect((await staff.call('DELETE', `/api/staff/sushi/credentials/${cred.requestor_id}`)).status).toBe(404)
  })
})
