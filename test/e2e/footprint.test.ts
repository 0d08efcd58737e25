/**
 * What a library that never joins a network pays for it: nothing. Its node, started as an
 * operator starts it, never loads libp2p (about 50 MB of resident memory, measured by
 * `npm run bench:footprint`) — it did while the channel catalogs were opened through the
 * federation package's root. Modules are recorded as Node loads them (a `module.register` hook).
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, start } from './processes.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-footprint-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

describe('footprint', () => {
  it('a node that has not joined a network does not load libp2p', async () => {
    const loaded = join(work, 'loaded.txt')
    const hooks = join(work, 'hooks.mjs')
    const register = join(work, 'register.mjs')
    await writeFile(
      hooks,
      `import { appendFileSync } from 'node:fs'\n` +
        `export async function load(url, context, next) {\n` +
        `  appendFileSync(${JSON.stringify(loaded)}, url + '\\n')\n` +
        `  return next(url, context)\n}\n`,
    )
    await writeFile(
      register,
      `import { register } from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hooks).href)})\n`,
    )
    const node = await start(['--port', '0', '--data', join(work, 'data')], {
      NODE_OPTIONS: `--import ${pathToFileURL(register).href}`,
    })
    // Its first search and a look at the channel menu, as a reader and the staff would.
    expect((await fetch(`${node.url}/api/search?q=${encodeURIComponent('诗')}`)).status).toBe(200)
    expect((await fetch(`${node.url}/api/channels/menu`)).status).toBe(200)
    const urls = (await readFile(loaded, 'utf8')).split('\n')
    expect(urls.some((u) => u.includes('/node/dist/channels/'))).toBe(true)
    expect(urls.filter((u) => /\/node_modules\/(libp2p|@libp2p\/tcp)\//.test(u))).toEqual([])
    node.child.kill('SIGTERM')
    await node.exited
  }, 60_000)
})
