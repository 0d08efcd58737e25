// The records of `npm run bench:sync` (and `bench:sync-alone`): catalogue records made from the
// Tang and Song poems of `chinese-poetry`, with PouchDB beside them in bench/.sync-deps.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { loadPoems, rng } from './search-data.js'

const depsDir = join(process.cwd(), 'bench', '.sync-deps')

/** Installs PouchDB, express-pouchdb and the poems into bench/.sync-deps on first run. */
export async function installSyncDeps() {
  if (
    !existsSync(join(depsDir, 'node_modules', 'express-pouchdb', 'package.json')) ||
    !existsSync(join(depsDir, 'node_modules', 'chinese-poetry', 'package.json'))
  ) {
    mkdirSync(depsDir, { recursive: true })
    writeFileSync(
      join(depsDir, 'package.json'),
      JSON.stringify({
        private: true,
        dependencies: { pouchdb: '9.0.0', 'express-pouchdb': '4.2.0', express: '^4.21.2', 'chinese-poetry': '2.0.1' },
      }),
    )
    process.stderr.write('installing PouchDB, express-pouchdb and the poems into bench/.sync-deps …\n')
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', depsDir], { stdio: 'inherit' })
  }
}

/** Catalogue records as a library holds them, one per poem, deterministic. */
export function makeRecords(n) {
  const rand = rng(42)
  const pick = (k) => Math.floor(rand() * k)
  return loadPoems(join(depsDir, 'node_modules', 'chinese-poetry'), n).map((p, i) => ({
    id: `01JD${String(i).padStart(10, '0')}BENCH${String(pick(1e6)).padStart(6, '0')}`,
    type: 'book',
    title: p.title,
    creators: [p.author],
    subjects: [`${p.dynasty}詩`, '古典文學'],
    publisher: ['中華書局', '上海古籍出版社', '人民文學出版社'][pick(3)],
    year: 1950 + pick(75),
    language: 'zh',
    identifiers: [{ type: 'isbn', value: `978${String(pick(1e9)).padStart(10, '0')}` }],
    clc: `I222.${pick(9)}`,
    description: [...p.text].slice(0, 160).join(''),
    access: 'member-readers',
  }))
}

/**
 * One side of a sync bench in its own process (`bench/sync-worker.js ROLE DIR ARG`), driven over
 * its stdin and stdout one JSON line at a time.
 */
export function syncWorker(role, dir, arg) {
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=4096', join('bench', 'sync-worker.js'), role, dir, arg ?? ''],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async () => {
    const { value, done } = await lines.next()
    if (done) throw new Error(`${role} ended early`)
    return JSON.parse(value)
  }
  return {
    next,
    ask: async (cmd) => (child.stdin.write(cmd + '\n'), next()),
    end: () => new Promise((r) => (child.once('exit', r), child.stdin.write('exit\n'))),
  }
}
