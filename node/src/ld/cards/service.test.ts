/**
 * The card catalogue follows a work's changes in place — a new poem on a 100k-record node must
 * not read every record again — and reads all again only for a course or a lecture (whose
 * subtitles are read whole). Real LevelDB, real records; `all()` is counted, not replaced.
 */
import { rm } from 'node:fs/promises'
import { Metadata } from '@shulin/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { openDataFolder } from '../../storage/data-folder.js'
import { ResourceService } from '../../resources/service.js'
import { tempDir } from '../../testing/temp-node.js'
import { CardService } from './service.js'

describe('the card catalogue follows the records', () => {
  let cleanup = async () => {}
  afterEach(() => cleanup())

  it('in place for works, whole again for courses', async () => {
    const dir = await tempDir()
    const folder = await openDataFolder(dir, { create: true })
    cleanup = async () => {
      await folder.storage.close()
      await rm(dir, { recursive: true, force: true })
    }
    const resources = new ResourceService({ storage: folder.storage, nodeId: folder.key.nodeId })
    let reads = 0
    const records = resources.records
    const cards = new CardService({
      records: {
        ...records,
        onChange: (l) => records.onChange(l),
        getMany: (ids) => records.getMany(ids),
        all: (cursor) => {
          reads++
          return records.all(cursor)
        },
      },
      transcript: async () => '',
    })
    const publish = async (type: 'book' | 'course', title: string, creators: string[]) => {
      const r = await resources.create({
        type,
        metadata: Metadata.parse({ title, creators }),
        access: 'public',
        parentId: null,
      })
      return resources.publish(r.id)
    }
    await publish('book', '春望', ['杜甫'])
    expect((await cards.card('person', '杜甫'))?.works.map((w) => w.title)).toEqual(['春望'])
    expect(reads).toBe(1)
    const dg = await publish('book', '登高', ['杜甫'])
    expect((await cards.card('person', '杜甫'))?.works.map((w) => w.title)).toEqual(['春望', '登高'])
    await resources.withdraw(dg.id)
    expect((await cards.card('person', '杜甫'))?.works.map((w) => w.title)).toEqual(['春望'])
    expect(reads).toBe(1)
    await publish('course', '杜诗讲座', ['杜甫'])
    expect((await cards.card('person', '杜甫'))?.courses.map((w) => w.title)).toEqual(['杜诗讲座'])
    expect(reads).toBe(2)
  })
})
