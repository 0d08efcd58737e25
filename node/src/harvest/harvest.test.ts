import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'
import { openDataFolder } from '../storage/data-folder.js'
import { ResourceService } from '../resources/service.js'
import { HarvestService } from './service.js'

type Folder = Awaited<ReturnType<typeof openDataFolder>>

/** The harvesting node, stopped, as `shulin harvest` opens it. */
async function harvester() {
  return harvesterWith({})
}

async function harvesterWith(client: { maxBytes?: number }) {
  const dir = await tempDir('shulin-harvest-')
  const folder: Folder = await openDataFolder(dir, { create: true })
  // The harvest's own parts (not the whole stopped node), to shorten its retries.
  const resources = new ResourceService({ storage: folder.storage, nodeId: folder.key.nodeId })
  const harvest = new HarvestService({
    storage: folder.storage,
    resources,
    client: { attempts: 2, retryDelayMs: 10, timeoutMs: 5000, ...client },
  })
  return {
    harvest,
    byTitle: async (title: string) => {
      for await (const r of resources.records.all()) if (r.metadata.title === title) return r
      return undefined
    },
    count: () => resources.records.count(),
    close: async () => {
      await folder.storage.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

describe('harvesting another node over OAI-PMH', () => {
  let b: TempNode
  let staff: Client
  let a: Awaited<ReturnType<typeof harvester>>
  const ids: string[] = []

  const publish = async (title: string, type = 'book') => {
    b.clock.now += 1000
    const r = await staff.post('/api/staff/resources', {
      type,
      metadata: { title, creators: ['县志办'], subjects: ['方志'], date: '2019-05-04', language: 'zh' },
    })
    await staff.post(`/api/staff/resources/${r.body.id}/publish`)
    return r.body.id as string
  }

  beforeAll(async () => {
    b = await startTempNode({ name: '某某大学图书馆' }, { oaiPageSize: 3 })
    staff = await signedInAdmin(b)
    for (let i = 0; i < 7; i++) ids.push(await publish(`地方志 ${i}`, i === 1 ? 'audiobook' : 'book'))
    a = await harvester()
  }, 60_000)
  afterAll(async () => {
    await a?.close()
    await b?.close()
  })

  it('takes every record at first, following resumption tokens, then only what changed; a record deleted there is withdrawn here', async () => {
    b.clock.now += 60_000
    const first = await a.harvest.add({ url: `${b.node.url}/oai` })
    expect(first.error).toBeUndefined()
    expect(first).toMatchObject({ format: 'oai_dc', pages: 3, records: 7, created: 7, withdrawn: 0, rejected: 0 })
    expect(first.from).toBeUndefined()
    const sound = await a.byTitle('地方志 1')
    expect(sound).toMatchObject({ type: 'audiobook', status: 'published' })
    expect(sound?.metadata).toMatchObject({ creators: ['县志办'], subjects: ['方志'], date: '2019-05-04' })

    // There: one withdrawn, one new. Here: the next run asks from the last run's responseDate.
    b.clock.now += 60_000
    await staff.post(`/api/staff/resources/${ids[3]}/withdraw`)
    await publish('新到 地方志')
    const second = (await a.harvest.runAll())[0]!
    expect(second.error).toBeUndefined()
    expect(second.from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    expect(second).toMatchObject({ records: 2, created: 1, withdrawn: 1, updated: 0, unchanged: 0 })
    expect((await a.byTitle('地方志 3'))?.status).toBe('withdrawn')
    expect((await a.byTitle('新到 地方志'))?.status).toBe('published')
    expect(await a.count()).toBe(8)

    // Nothing new there: nothing changes here.
    b.clock.now += 60_000
    const third = (await a.harvest.runAll())[0]!
    // `from` is inclusive: the record published in the second run's very second comes again, unchanged.
    expect(third).toMatchObject({ created: 0, updated: 0, withdrawn: 0 })
    expect(third.records).toBeLessThanOrEqual(1)
  }, 60_000)
})

describe('a repository that misbehaves', () => {
  let server: Server
  let url: string
  let a: Awaited<ReturnType<typeof harvester>>
  /** verb or token → answer body; `status` for an HTTP status instead. */
  let answer: (q: URLSearchParams) => { status?: number; body?: string }
  let requests = 0

  const oai = (inner: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-12-01T10:00:00Z</responseDate><request>${url}</request>${inner}</OAI-PMH>`
  const identify = oai(
    '<Identify><repositoryName>R</repositoryName><baseURL>x</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>a@b.cn</adminEmail><earliestDatestamp>2001-01-01</earliestDatestamp><deletedRecord>persistent</deletedRecord><granularity>YYYY-MM-DD</granularity></Identify>',
  )
  const format = (prefix: string) =>
    `<metadataFormat><metadataPrefix>${prefix}</metadataPrefix><schema>s</schema><metadataNamespace>n</metadataNamespace></metadataFormat>`
  let formats = ''
  const offer = (...prefixes: string[]) =>
    (formats = oai(`<ListMetadataFormats>${prefixes.map(format).join('')}</ListMetadataFormats>`))
  offer('oai_dc')
  const rec = (id: string, title: string, type = 'Text') =>
    `<record><header><identifier>oai:repo.edu.cn:${id}</identifier><datestamp>2026-11-30</datestamp></header><metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>${title}</dc:title><dc:type>${type}</dc:type><dc:date>2019年5月</dc:date><dc:language>chi</dc:language></oai_dc:dc></metadata></record>`
  const page = (records: string, token?: string) =>
    oai(
      `<ListRecords>${records}${token !== undefined ? `<resumptionToken>${token}</resumptionToken>` : ''}</ListRecords>`,
    )

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++
      const q = new URL(req.url ?? '/', 'http://x').searchParams
      const verb = q.get('verb')
      const a =
        verb === 'Identify' ? { body: identify } : verb === 'ListMetadataFormats' ? { body: formats } : answer(q)
      res.writeHead(a.status ?? 200, { 'content-type': 'text/xml' }).end(a.body ?? '')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oai`
    a = await harvester()
  })
  afterAll(async () => {
    await a?.close()
    await new Promise((r) => server.close(r))
  })

  it('reads DCMI and free-text types, dates and languages as a catalogue writes them', async () => {
    answer = () => ({
      body: page(rec('1', '论文一', 'Text') + rec('2', '讲座录像', 'MovingImage') + rec('3', '老照片', '图片')),
    })
    const r = await a.harvest.add({ url })
    expect(r).toMatchObject({ created: 3, rejected: 0 })
    expect(await a.byTitle('论文一')).toMatchObject({ type: 'book', metadata: { date: '2019-05', language: 'zh' } })
    expect((await a.byTitle('讲座录像'))?.type).toBe('video')
    expect((await a.byTitle('老照片'))?.type).toBe('image-set')
  })

  it('imports nothing from a list whose second page is malformed XML, and keeps its from', async () => {
    answer = (q) =>
      q.get('resumptionToken') === 't1'
        ? { body: page(rec('5', '第五')).replace('</ListRecords>', '</ListRecord>') }
        : { body: page(rec('4', '第四'), 't1') }
    const before = await a.count()
    const r = await a.harvest.add({ url, set: 'bad' })
    expect(r.error).toMatch(/malformed XML/)
    expect(r).toMatchObject({ created: 0 })
    expect(await a.count()).toBe(before)
    expect(await a.byTitle('第四')).toBeUndefined()
    expect((await a.harvest.list()).find((x) => x.set === 'bad')?.from).toBeUndefined()
  })

  it('stops on a resumption token the repository already gave (a loop)', async () => {
    answer = (q) => ({
      body: page(
        rec(q.get('resumptionToken') ?? '0', `页 ${q.get('resumptionToken') ?? '0'}`),
        q.get('resumptionToken') === 'b' ? 'a' : q.get('resumptionToken') === 'a' ? 'b' : 'a',
      ),
    })
    const before = await a.count()
    const r = await a.harvest.add({ url, set: 'loop' })
    expect(r.error).toMatch(/twice \(a loop\)/)
    expect(r.pages).toBeLessThan(10)
    expect(await a.count()).toBe(before)
  })

  it('reports a token the repository itself calls bad, importing nothing', async () => {
    answer = (q) =>
      q.get('resumptionToken')
        ? { body: oai('<error code="badResumptionToken">expired</error>') }
        : { body: page(rec('6', '第六'), 'gone') }
    const r = await a.harvest.add({ url, set: 'expired' })
    expect(r.error).toMatch(/badResumptionToken: expired/)
    expect(await a.byTitle('第六')).toBeUndefined()
  })

  it('retries a repository that fails for a moment, and says so when it stays down', async () => {
    let failures = 1
    answer = () => (failures-- > 0 ? { status: 503 } : { body: page(rec('7', '第七')) })
    expect(await a.harvest.add({ url, set: 'flaky' })).toMatchObject({ created: 1 })
    answer = () => ({ status: 503 })
    requests = 0
    const down = await a.harvest.add({ url, set: 'down' })
    expect(down.error).toMatch(/did not answer after 2 attempts: HTTP 503/)
    expect(requests).toBe(4) // Identify, ListMetadataFormats, then two tries of ListRecords
  })

  it('asks incrementally at the repository’s day granularity', async () => {
    const froms: Array<string | null> = []
    answer = (q) => {
      froms.push(q.get('from'))
      return { body: page(rec('8', '第八')) }
    }
    await a.harvest.add({ url, set: 'days' })
    const repo = (await a.harvest.list()).find((x) => x.set === 'days')!
    await a.harvest.harvest(repo.id)
    expect(froms.slice(-2)).toEqual([null, '2026-12-01'])
  })

  it('takes marcxml when the repository offers it', async () => {
    offer('oai_dc', 'marcxml')
    const prefixes: Array<string | null> = []
    const marc = `<record><header><identifier>oai:repo.edu.cn:m1</identifier><datestamp>2026-11-30</datestamp></header><metadata><marc:record xmlns:marc="http://www.loc.gov/MARC21/slim"><marc:leader>00000nam a2200000 a 4500</marc:leader><marc:datafield tag="020" ind1=" " ind2=" "><marc:subfield code="a">9787020002207</marc:subfield></marc:datafield><marc:datafield tag="100" ind1="1" ind2=" "><marc:subfield code="a">曹雪芹</marc:subfield></marc:datafield><marc:datafield tag="245" ind1="1" ind2="0"><marc:subfield code="a">红楼梦</marc:subfield></marc:datafield></marc:record></metadata></record>`
    answer = (q) => {
      prefixes.push(q.get('metadataPrefix'))
      return { body: page(marc) }
    }
    try {
      const r = await a.harvest.add({ url, set: 'marc' })
      expect(r).toMatchObject({ format: 'marcxml', created: 1, rejected: 0 })
    } finally {
      offer('oai_dc')
    }
    expect(prefixes).toEqual(['marcxml'])
    const dream = await a.byTitle('红楼梦')
    expect(dream?.metadata.creators).toEqual(['曹雪芹'])
    expect(dream?.metadata.identifiers).toContain('urn:isbn:9787020002207')
  })

  it('moves from on after an empty list (noRecordsMatch), and refuses an answer too large to hold', async () => {
    answer = () => ({ body: oai('<error code="noRecordsMatch">nothing</error>') })
    const r = await a.harvest.add({ url, set: 'empty' })
    expect(r).toMatchObject({ records: 0, created: 0 })
    expect(r.error).toBeUndefined()
    expect((await a.harvest.list()).find((x) => x.set === 'empty')?.from).toBe('2026-12-01')

    const small = await harvesterWith({ maxBytes: 10_000 })
    try {
      answer = () => ({ body: page(Array.from({ length: 200 }, (_, i) => rec(`big${i}`, `大 ${i}`)).join('')) })
      const big = await small.harvest.add({ url })
      expect(big.error).toMatch(/larger than 10000 bytes/)
      expect(await small.count()).toBe(0)
    } finally {
      await small.close()
    }
  })
})

describe('scheduled harvests', () => {
  it('a running node harvests its repositories again by itself, every --harvest-every hours', async () => {
    const b = await startTempNode({ name: '省图书馆' })
    // 0.001 h = 3.6 s between runs.
    const a = await startTempNode({ name: '县图书馆', harvestEveryHours: 0.001 })
    try {
      const staff = await signedInAdmin(b)
      const make = async (title: string) => {
        const r = await staff.post('/api/staff/resources', { type: 'book', metadata: { title } })
        await staff.post(`/api/staff/resources/${r.body.id}/publish`)
      }
      await make('省志')
      // Staff add it in the console (the same API).
      const here = await signedInAdmin(a)
      const added = await here.post('/api/staff/harvest', { url: `${b.node.url}/oai` })
      expect(added.status).toBe(200)
      expect(added.body).toMatchObject({ format: 'oai_dc', created: 1 })
      const bad = await here.post('/api/staff/harvest', { url: 'file:///etc/passwd' })
      expect(bad.status).toBe(400)
      expect(JSON.stringify(bad.body)).toMatch(/http or https/)
      expect(await new Client(a.node.url).get('/api/staff/harvest').then((r) => r.status)).toBe(401)
      b.clock.now += 60_000
      await make('续修省志')
      const deadline = Date.now() + 30_000
      let count = 0
      while (Date.now() < deadline && (count = await a.node.services.resources.records.count()) < 2)
        await new Promise((r) => setTimeout(r, 200))
      expect(count).toBe(2)
      const listed = await here.get('/api/staff/harvest')
      expect(listed.body.repositories).toHaveLength(1)
      expect(listed.body.repositories[0].last).toMatchObject({ created: 1 })
    } finally {
      await a.close()
      await b.close()
    }
  }, 60_000)
})
