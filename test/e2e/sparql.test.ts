/**
 * Issue 22's done-when for SPARQL: a node holding the 100k poems of the search benchmark's corpus
 * (`chinese-poetry`, installed into bench/.search-deps by the test command, scripts/test.sh, or by `npm run bench:search`), imported by the
 * CLI; a SPARQL client from npm (fetch-sparql-endpoint) counts the works by 李白 at /sparql and
 * gets the number of the catalogue's records by him, as the search API's creator filter
 * (`GET /api/search?creator=李白`) and the imported file have it. `shulin reindex` on the running node rebuilds the store.
 */
import { createWriteStream, existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SparqlEndpointFetcher } from 'fetch-sparql-endpoint'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start } from './processes.js'
import { depsDir, loadPoems } from '../../bench/search-data.js'

const corpus = join(depsDir, 'node_modules', 'chinese-poetry')
const poet = '李白'
const byPoet = `PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX schema: <https://schema.org/>
SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w a schema:CreativeWork ; dcterms:creator ?p . ?p schema:name "${poet}" }`

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-sparql-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

interface Poem {
  title: string
  author: string
  text: string
  dynasty: string
}

describe('SPARQL over the 100k poems', () => {
  it.skipIf(!existsSync(corpus))(
    'counts the works by 李白 as the search API and the catalogue do',
    { timeout: 600_000 },
    async () => {
      const poems = (loadPoems as (dir: string, n: number) => Poem[])(corpus, 100_000)
      expect(poems).toHaveLength(100_000)
      const file = join(work, 'poems.jsonl')
      const out = createWriteStream(file)
      for (const p of poems) {
        const line = JSON.stringify({
          title: p.title,
          creators: [p.author],
          subjects: [`${p.dynasty}詩`],
          description: p.text.slice(0, 1000),
        })
        if (!out.write(line + '\n')) await once(out, 'drain')
      }
      out.end()
      await once(out, 'finish')
      const inFile = poems.filter((p) => p.author === poet).length
      expect(inFile).toBeGreaterThan(100)

      const data = join(work, 'node')
      const admin = ['admin', 'create', '--data', data, '--username', 'libadmin', '--password', 'county-library-2026']
      expect((await run(admin)).code).toBe(0)
      const imported = await run(['import', file, '--data', data], {}, 'node', 300_000)
      expect(imported.code, imported.stderr).toBe(0)
      const node = await start(['--data', data, '--port', '0'])

      // The store is built in its worker after start; a query waits for it (or is told 503).
      const fetcher = new SparqlEndpointFetcher({ timeout: 120_000 })
      const count = async () => {
        for (let i = 0; ; i++) {
          try {
            const rows = await fetcher.fetchBindings(`${node.url}/sparql`, byPoet)
            let n = -1
            for await (const row of rows as AsyncIterable<Record<string, { value: string }>>) n = Number(row.n!.value)
            return n
          } catch (err) {
            if (i > 30 || !/HTTP status 503/.test(String(err))) throw err
            await new Promise((r) => setTimeout(r, 2_000))
          }
        }
      }
      const started = Date.now()
      const sparql = await count()
      const firstAnswerMs = Date.now() - started

      // The search API's creator filter: the records whose creators name him, exactly as catalogued.
      const res = await fetch(`${node.url}/api/search?creator=${encodeURIComponent(poet)}&limit=1&facets=false`)
      expect(res.status).toBe(200)
      const bySearch = ((await res.json()) as { total: number }).total

      expect({ sparql, bySearch }).toEqual({ sparql: inFile, bySearch: inFile })
      process.stderr.write(
        `works by ${poet}: ${sparql} (SPARQL, first answer after ${firstAnswerMs} ms), ${bySearch} (search), ${inFile} (file)\n`,
      )

      const reindexed = await run(['reindex', '--data', data], {}, 'node', 300_000)
      expect(reindexed.code, reindexed.stderr).toBe(0)
      expect(reindexed.stdout).toMatch(/rebuilt the SPARQL store: \d{7} triples in \d+ ms/)
      process.stderr.write(reindexed.stdout)
      expect(await count()).toBe(inFile)
      node.child.kill('SIGTERM')
      expect(await node.exited).toBe(0)
    },
  )
})
