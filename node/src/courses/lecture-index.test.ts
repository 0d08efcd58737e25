import { rm } from 'node:fs/promises'
import { Metadata } from '@shulin/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { openDataFolder } from '../storage/data-folder.js'
import { ResourceService } from '../resources/service.js'
import { tempDir } from '../testing/temp-node.js'
import { LectureIndex } from './lecture-index.js'

const lecture = (position: number) => ({
  lecture: { position, speakers: [], status: 'processing' as const, renditions: [], subtitles: [], related: [] },
})

describe('the lecture index follows the records', () => {
  let cleanup = async () => {}
  afterEach(() => cleanup())

  it('reads what was there, then follows creations, moves and deletions', async () => {
    const dir = await tempDir()
    const folder = await openDataFolder(dir, { create: true })
    cleanup = async () => {
      await folder.storage.close()
      await rm(dir, { recursive: true, force: true })
    }
    const resources = new ResourceService({ storage: folder.storage, nodeId: folder.key.nodeId })
    const course = (title: string) =>
      resources.create({ type: 'course', metadata: Metadata.parse({ title }), access: 'public', parentId: null })
    const a = await course('甲')
    const l1 = await resources.create(
      { type: 'lecture', metadata: Metadata.parse({ title: '一' }), access: 'public', parentId: a.id },
      lecture(1),
    )
    // Made before the index first reads: found by the first read.
    const index = new LectureIndex(resources.records)
    const l0 = await resources.create(
      { type: 'lecture', metadata: Metadata.parse({ title: '零' }), access: 'public', parentId: a.id },
      lecture(0),
    )
    expect((await index.lecturesOf(a.id)).map((r) => r.metadata.title)).toEqual(['零', '一'])
    const b = await course('乙')
    expect(await index.courseIds()).toEqual([b.id, a.id])

    // A lecture moved to another course leaves the first.
    await resources.update(l1.id, { parentId: b.id })
    expect((await index.lecturesOf(a.id)).map((r) => r.id)).toEqual([l0.id])
    expect((await index.lecturesOf(b.id)).map((r) => r.id)).toEqual([l1.id])
    // A deleted course is gone from the list.
    await resources.delete(b.id)
    expect(await index.courseIds()).toEqual([a.id])
  })
})
