import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LD_PREFIXES, ldUri, Metadata } from '@shulin/protocol'
import { openDataFolder, type OpenedDataFolder } from '../storage/data-folder.js'
import { ResourceService } from '../resources/service.js'
import { tempDir } from '../testing/temp-node.js'
import { LinkedData, type LdSubjectChange } from './service.js'

const ORIGIN = 'https://county.example'
const PUBLISHER = 'https://province.example'

describe('LinkedData service over a real LevelDB', () => {
  let dir: string
  let folder: OpenedDataFolder
  let resources: ResourceService
  let ld: LinkedData
  const seen: LdSubjectChange[][] = []

  beforeAll(async () => {
    dir = await tempDir('shulin-ld-')
    folder = await openDataFolder(dir, { create: true })
    resources = new ResourceService({ storage: folder.storage, nodeId: folder.key.nodeId })
    ld = new LinkedData({
      resources: resources.records,
      nodeId: folder.key.nodeId,
      origin: () => ORIGIN + '/',
      publisherOrigin: async (id) => (id === 'province-node' ? PUBLISHER : undefined),
    })
    ld.onChange((changes) => void seen.push(changes))
  })
  afterAll(async () => {
    ld.close()
    await folder.storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  const changesFor = (uri: string) => seen.flat().filter((c) => c.uri === uri)

  it('tells listeners of each subject added, changed and removed, after the record is written', async () => {
    const r = await resources.create({
      type: 'book',
      metadata: Metadata.parse({ title: '静夜思', creators: ['李白'], subjects: ['唐诗'] }),
      access: 'public',
      parentId: null,
    })
    await ld.settled()
    expect(seen.flat()).toEqual([]) // a draft publishes nothing
    expect(await ld.describe('resource', r.id)).toBeNull()

    await resources.publish(r.id)
    await ld.settled()
    const uri = ldUri(ORIGIN, 'resource', r.id)
    const person = ldUri(ORIGIN, 'person', '李白')
    expect(changesFor(uri).map((c) => c.change)).toEqual(['added'])
    expect(changesFor(uri)[0]!.quads.every((q) => q.subject.value === uri)).toBe(true)
    expect(changesFor(person).map((c) => c.change)).toEqual(['added'])
    expect(
      (await ld.describe('person', ' 李白 '))?.some((q) => q.predicate.value === `${LD_PREFIXES.schema}name`),
    ).toBe(true)

    await resources.update(r.id, { metadata: Metadata.parse({ title: '静夜思', creators: ['杜甫'] }) })
    await ld.settled()
    expect(changesFor(uri).map((c) => c.change)).toEqual(['added', 'changed'])
    expect(changesFor(person).map((c) => c.change)).toEqual(['added', 'removed'])
    expect(changesFor(ldUri(ORIGIN, 'subject', '唐诗')).map((c) => c.change)).toEqual(['added', 'removed'])
    expect(await ld.describe('person', '李白')).toBeNull()

    await resources.withdraw(r.id)
    await ld.settled()
    expect(changesFor(uri).map((c) => c.change)).toEqual(['added', 'changed', 'removed'])
    expect(changesFor(uri).at(-1)!.quads).toEqual([])
    expect(await ld.describe('resource', r.id)).toBeNull()
    const all = []
    for await (const q of ld.allQuads()) all.push(q)
    expect(all.some((q) => q.subject.value === uri)).toBe(false)
  })

  it("a record taken in from another library's channel keeps its publisher's URI; the names it links to are this node's", async () => {
    await resources.upsertForeign('province-node', [
      {
        id: 'prov1',
        type: 'book',
        metadata: Metadata.parse({ title: '将进酒', creators: ['李白'], identifiers: ['ISBN 7-02-000220-X'] }),
        access: 'public',
        files: [],
        toc: [],
        withdrawn: false,
        updatedAt: new Date().toISOString(),
      },
    ])
    await ld.settled()
    const uri = ldUri(PUBLISHER, 'resource', 'prov1')
    expect(changesFor(uri).map((c) => c.change)).toEqual(['added'])
    const quads = (await ld.describe('resource', 'prov1'))!
    expect(quads.every((q) => q.subject.value === uri)).toBe(true)
    const object = (p: string) => quads.filter((q) => q.predicate.value === p).map((q) => q.object.value)
    expect(object(`${LD_PREFIXES.dcterms}creator`)).toEqual([ldUri(ORIGIN, 'person', '李白')])
    expect(object(`${LD_PREFIXES.schema}provider`)).toEqual([ldUri(PUBLISHER, 'library', 'province-node')])
    expect(object(`${LD_PREFIXES.owl}sameAs`)).toEqual(['urn:isbn:9787020002207'])
  })
})
