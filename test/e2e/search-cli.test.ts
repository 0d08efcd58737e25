/**
 * The search index across processes: records imported by the CLI while the node is stopped
 * are searchable when it starts (the change log is replayed), the index file survives a
 * SIGKILL of the node (a rebuild or replay repairs what it had not written), and
 * `shulin reindex` works both on a stopped folder and through a running node.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start } from './processes.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-search-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const search = async (url: string, q: string) =>
  (await (await fetch(`${url}/api/search?q=${encodeURIComponent(q)}`)).json()) as {
    total: number
    hits: Array<{ title: string }>
  }

describe('search index and the CLI', () => {
  it('follows offline imports, survives kill -9, and reindexes stopped or running', async () => {
    const data = join(work, 'node')
    const file = join(work, 'poems.jsonl')
    await writeFile(
      file,
      [
        { title: '靜夜思', creators: ['李白'], description: '床前明月光，疑是地上霜。' },
        { title: '春曉', creators: ['孟浩然'] },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    )
    let node = await start(['--data', data, '--port', '0'])
    node.child.kill('SIGTERM')
    await node.exited
    const imported = await run(['import', file, '--data', data])
    expect(imported.code, imported.stderr).toBe(0)

    node = await start(['--data', data, '--port', '0'])
    expect((await search(node.url, 'jingyesi')).hits[0]?.title).toBe('靜夜思')

    // Imported through the running node, then the node is killed before it writes its index.
    await writeFile(file, JSON.stringify({ title: '登鸛雀樓', creators: ['王之渙'], description: '白日依山盡' }))
    expect((await run(['import', file, '--data', data])).code).toBe(0)
    expect((await search(node.url, '白日依山尽')).total).toBe(1)
    node.child.kill('SIGKILL')
    await node.exited

    node = await start(['--data', data, '--port', '0'])
    expect((await search(node.url, '白日依山尽')).hits[0]?.title).toBe('登鸛雀樓')
    const online = await run(['reindex', '--data', data])
    expect(online.code, online.stderr).toBe(0)
    expect(online.stdout).toMatch(/reindexed 3 records/)
    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)

    const offline = await run(['reindex', '--data', data])
    expect(offline.code, offline.stderr).toBe(0)
    expect(offline.stdout).toMatch(/reindexed 3 records/)
    node = await start(['--data', data, '--port', '0'])
    expect((await search(node.url, '春晓')).hits[0]?.title).toBe('春曉')
    node.child.kill('SIGTERM')
    await node.exited
    // Four starts of the node and four CLI runs: 30 s was not enough with two test workers.
  }, 120_000)
})
