import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateXML } from 'xmllint-wasm'
import { XMLParser } from 'fast-xml-parser'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

const schemaFile = (name: string) =>
  readFile(new URL(`./testdata/${name}`, import.meta.url), 'utf8').then((contents) => ({ fileName: name, contents }))
const schemas = Promise.all(['OAI-PMH.xsd', 'oai_dc.xsd', 'dc.xsd'].map(schemaFile))

/** Validates against the OAI-PMH and oai_dc schemas, then parses. */
async function valid(xml: string) {
  const [oai, ...preload] = await schemas
  const result = await validateXML({ xml: [{ fileName: 'response.xml', contents: xml }], schema: [oai!], preload })
  expect(
    result.errors.map((e) => e.rawMessage),
    xml.slice(0, 2000),
  ).toEqual([])
  expect(result.valid).toBe(true)
  const lists = new Set([
    'OAI-PMH.ListRecords.record',
    'OAI-PMH.ListIdentifiers.header',
    'OAI-PMH.ListSets.set',
    'OAI-PMH.error',
  ])
  const repeatable = new Set(['setSpec', 'dc:identifier', 'dc:subject', 'dc:type'])
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    isArray: (name, jpath) => lists.has(String(jpath)) || repeatable.has(name),
  }).parse(xml)['OAI-PMH']
}

describe('OAI-PMH 2.0', () => {
  let t: TempNode
  let staff: Client
  const harvester = () => new Client(t.node.url)
  const oai = async (query: string) => valid((await harvester().get(`/oai?${query}`)).body as string)
  const ids: string[] = []
  let draft: string
  let withdrawn: string
  let deleted: string
  let topic: string
  let middle: string

  beforeAll(async () => {
    t = await startTempNode({ name: '某某县图书馆', adminEmail: 'digital@county-library.cn' }, { oaiPageSize: 3 })
    staff = await signedInAdmin(t)
    for (let i = 0; i < 7; i++) {
      t.clock.now += 60_000
      if (i === 3) middle = new Date(t.clock.now).toISOString()
      const r = await staff.post('/api/staff/resources', {
        type: i % 2 ? 'audiobook' : 'book',
        metadata: {
          title: `地方志 ${i} <卷&册>`,
          creators: ['县志办'],
          subjects: ['方志'],
          clc: 'K296',
          identifiers: [`urn:uuid:00000000-0000-4000-8000-00000000000${i}`],
        },
      })
      await staff.post(`/api/staff/resources/${r.body.id}/publish`)
      ids.push(r.body.id)
    }
    t.clock.now += 60_000
    draft = (await staff.post('/api/staff/resources', { type: 'book', metadata: { title: '草稿' } })).body.id
    withdrawn = ids[1]!
    await staff.post(`/api/staff/resources/${withdrawn}/withdraw`)
    deleted = ids[2]!
    await staff.post(`/api/staff/resources/${deleted}/withdraw`)
    await staff.call('DELETE', `/api/staff/resources/${deleted}`)
    topic = (await staff.post('/api/staff/collections', { kind: 'topic', title: '红色记忆', items: [ids[0], ids[4]] }))
      .body.id
  })
  afterAll(() => t.close())

  it('the schemas used here reject what the protocol forbids', async () => {
    const [oaiXsd, ...preload] = await schemas
    const bad =
      '<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><request>http://x/oai</request><Identify/></OAI-PMH>'
    expect(
      (await validateXML({ xml: [{ fileName: 'bad.xml', contents: bad }], schema: [oaiXsd!], preload })).valid,
    ).toBe(false)
  })

  it('Identify, ListMetadataFormats, ListSets', async () => {
    const id = await oai('verb=Identify')
    expect(id.Identify).toMatchObject({
      repositoryName: '某某县图书馆',
      baseURL: `${t.node.url}/oai`,
      protocolVersion: '2.0',
      adminEmail: 'digital@county-library.cn',
      deletedRecord: 'persistent',
      granularity: 'YYYY-MM-DDThh:mm:ssZ',
    })
    expect(id.request['@verb']).toBe('Identify')
    const formats = await oai('verb=ListMetadataFormats')
    expect(formats.ListMetadataFormats.metadataFormat.metadataPrefix).toBe('oai_dc')
    const sets = await oai('verb=ListSets')
    const specs = sets.ListSets.set.map((s: { setSpec: string[] }) => s.setSpec[0])
    expect(specs).toContain('type:book')
    expect(specs).toContain(`topic:${topic}`)
  })

  it('harvests everything through resumption tokens, each record once, deletions included, drafts never', async () => {
    const seen: string[] = []
    const deletedSeen: string[] = []
    let page = await oai('verb=ListRecords&metadataPrefix=oai_dc')
    let pages = 1
    for (;;) {
      const before = seen.length
      for (const r of page.ListRecords.record) {
        const id = r.header.identifier.split(':').pop()
        seen.push(id)
        if (r.header['@status'] === 'deleted') {
          deletedSeen.push(id)
          expect(r.metadata).toBeUndefined()
        } else expect(r.metadata['oai_dc:dc']['dc:title']).toMatch(/^地方志 \d <卷&册>$/)
      }
      const token = page.ListRecords.resumptionToken
      const value = typeof token === 'string' ? token : token?.['#text']
      if (!value) break
      // cursor: how many items came before this page (it starts at 0).
      expect(Number(token['@cursor'])).toBe(before)
      // Tokens are idempotent: asking twice gives the same page.
      const again = await (await harvester().get(`/oai?verb=ListRecords&resumptionToken=${value}`)).body
      page = await oai(`verb=ListRecords&resumptionToken=${value}`)
      expect(again).toEqual(expect.stringContaining(page.ListRecords.record[0].header.identifier))
      pages++
    }
    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.sort()).toEqual([...ids].sort())
    expect(deletedSeen.sort()).toEqual([withdrawn, deleted].sort())
    expect(seen).not.toContain(draft)
  })

  it('selects by datestamp and by set', async () => {
    const from = middle.slice(0, 19) + 'Z'
    const later = await oai(`verb=ListIdentifiers&metadataPrefix=oai_dc&from=${from}`)
    const got = later.ListIdentifiers.header.map((h: { identifier: string }) => h.identifier.split(':').pop())
    // Records 3…6 were written after `middle`; 1 and 2 changed later too (withdrawn, deleted).
    expect(got).toEqual(expect.arrayContaining([ids[3], ids[4]]))
    expect(got).not.toContain(ids[0])
    const day = middle.slice(0, 10)
    expect((await oai(`verb=ListIdentifiers&metadataPrefix=oai_dc&until=1999-01-01`)).error[0]['@code']).toBe(
      'noRecordsMatch',
    )
    expect(
      (await oai(`verb=ListIdentifiers&metadataPrefix=oai_dc&from=${day}&until=${day}`)).ListIdentifiers.header.length,
    ).toBeGreaterThan(0)
    const inTopic = await oai(`verb=ListIdentifiers&metadataPrefix=oai_dc&set=topic:${topic}`)
    expect(
      inTopic.ListIdentifiers.header.map((h: { identifier: string }) => h.identifier.split(':').pop()).sort(),
    ).toEqual([ids[0], ids[4]].sort())
    const audio = await oai('verb=ListIdentifiers&metadataPrefix=oai_dc&set=type:audiobook')
    expect(audio.ListIdentifiers.header.every((h: { setSpec: string[] }) => h.setSpec.includes('type:audiobook'))).toBe(
      true,
    )
  })

  it('GetRecord, by POST too, and the record in oai_dc', async () => {
    const identifier = `oai:shulin.${t.node.nodeId.toLowerCase()}:${ids[0]}`
    const r = await oai(`verb=GetRecord&metadataPrefix=oai_dc&identifier=${identifier}`)
    const dc = r.GetRecord.record.metadata['oai_dc:dc']
    expect(dc['dc:identifier']).toContain('urn:uuid:00000000-0000-4000-8000-000000000000')
    expect(dc['dc:identifier']).toContain(`${t.node.url}/share/${ids[0]}`)
    expect(dc['dc:subject']).toEqual(['方志', 'CLC K296'])
    expect(dc['dc:type']).toEqual(['Text', 'book'])
    expect(r.GetRecord.record.header.setSpec).toEqual(['type:book', `topic:${topic}`])
    const posted = await harvester().call(
      'POST',
      '/oai',
      `verb=GetRecord&metadataPrefix=oai_dc&identifier=${encodeURIComponent(identifier)}`,
      { 'content-type': 'application/x-www-form-urlencoded' },
    )
    expect((await valid(posted.body as string)).GetRecord.record.header.identifier).toBe(identifier)
    const gone = await oai(
      `verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:shulin.${t.node.nodeId.toLowerCase()}:${deleted}`,
    )
    expect(gone.GetRecord.record.header['@status']).toBe('deleted')
  })

  it('answers every error with its code, valid XML and HTTP 200', async () => {
    const cases: Array<[string, string]> = [
      ['', 'badVerb'],
      ['verb=Harvest', 'badVerb'],
      ['verb=Identify&verb=Identify', 'badVerb'],
      ['verb=Identify&extra=1', 'badArgument'],
      ['verb=ListRecords', 'badArgument'],
      ['verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc', 'badArgument'],
      ['verb=ListRecords&metadataPrefix=oai_dc&from=2026-13-01', 'badArgument'],
      ['verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01&until=2026-01-01T00:00:00Z', 'badArgument'],
      ['verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-01&until=2026-01-01', 'badArgument'],
      ['verb=ListRecords&metadataPrefix=oai_dc&set=no spaces', 'badArgument'],
      ['verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc', 'badArgument'],
      ['verb=ListRecords&resumptionToken=bm90LWEtdG9rZW4', 'badResumptionToken'],
      ['verb=ListSets&resumptionToken=x', 'badResumptionToken'],
      ['verb=ListRecords&metadataPrefix=marc21', 'cannotDisseminateFormat'],
      ['verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:elsewhere.org:1', 'idDoesNotExist'],
      [`verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:shulin.${'x'}:${'y'}`, 'idDoesNotExist'],
      ['verb=ListMetadataFormats&identifier=oai:elsewhere.org:1', 'idDoesNotExist'],
      ['verb=ListRecords&metadataPrefix=oai_dc&set=type:journal', 'noRecordsMatch'],
    ]
    for (const [query, code] of cases) {
      const res = await harvester().get(`/oai?${query}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8')
      const parsed = await valid(res.body as string)
      expect(parsed.error[0]['@code'], query).toBe(code)
      if (code === 'badVerb' || code === 'badArgument') expect(parsed.request['@verb'], query).toBeUndefined()
    }
    const draftId = `oai:shulin.${t.node.nodeId.toLowerCase()}:${draft}`
    expect((await oai(`verb=GetRecord&metadataPrefix=oai_dc&identifier=${draftId}`)).error[0]['@code']).toBe(
      'idDoesNotExist',
    )
  })
})
