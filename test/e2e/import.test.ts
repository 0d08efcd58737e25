/**
 * `shulin import` as an operator runs it: a 100,000-line JSON Lines file imported twice
 * (once with the node stopped, once through the running node) leaves 100,000 records;
 * refused lines are reported with their numbers and reasons.
 */
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll, run, start } from './processes.js'

/** A valid ISBN-13 for each i. */
function isbn13(i: number): string {
  const base = '978' + String(7_000_000_000 + i).slice(1, 10)
  let sum = 0
  for (let k = 0; k < 12; k++) sum += Number(base[k]) * (k % 2 ? 3 : 1)
  return base + ((10 - (sum % 10)) % 10)
}

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-import-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

describe('shulin import', () => {
  it('imports 100k JSON Lines records, and importing again leaves 100k', async () => {
    const file = join(work, 'catalogue.jsonl')
    const out = createWriteStream(file)
    for (let i = 0; i < 100_000; i++) {
      const line =
        JSON.stringify({
          title: `地方文献 第${i}册`,
          creators: [`编者${i % 997}`],
          subjects: ['地方文献'],
          date: String(1950 + (i % 70)),
          identifiers: [`ISBN ${isbn13(i)}`],
          clc: 'K29',
        }) + '\n'
      if (!out.write(line)) await once(out, 'drain')
    }
    out.end()
    await once(out, 'finish')
    const data = join(work, 'county')
    expect(
      (await run(['admin', 'create', '--data', data, '--username', 'libadmin', '--password', 'county-library-2026']))
        .code,
    ).toBe(0)

    const first = await run(['import', file, '--data', data], {}, 'node', 120_000)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/100000 read · 100000 created · 0 updated · 0 unchanged · 0 rejected/)

    const node = await start(['--data', data, '--port', '0'])
    const second = await run(['import', file, '--data', data], {}, 'node', 120_000)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toMatch(/100000 read · 0 created · 0 updated · 100000 unchanged · 0 rejected/)

    const login = await fetch(node.url + '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'libadmin', password: 'county-library-2026', bearer: true }),
    })
    const { token } = (await login.json()) as { token: string }
    const counts = await (
      await fetch(node.url + '/api/staff/resources/count', { headers: { authorization: `Bearer ${token}` } })
    ).json()
    expect(counts).toEqual({ total: 100_000, byStatus: { published: 100_000 }, byType: { book: 100_000 } })
    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
  }, 180_000)

  it('reports refused lines by number and reason, and exits 3', async () => {
    const data = join(work, 'small')
    expect(
      (await run(['admin', 'create', '--data', data, '--username', 'libadmin', '--password', 'county-library-2026']))
        .code,
    ).toBe(0)
    const file = join(work, 'mixed.jsonl')
    await writeFile(
      file,
      [
        JSON.stringify({ title: '三国志', creators: ['陈寿'], identifiers: ['9787101003079'] }),
        '{"title": "broken',
        '',
        JSON.stringify({ title: '', identifiers: ['ISBN 123'] }),
        JSON.stringify({ title: '三国志（修订）', identifiers: ['978-7-101-00307-9'] }),
        JSON.stringify({ title: '后汉书', unknownField: 1 }),
      ].join('\r\n'),
    )
    const report = join(work, 'report.json')
    const r = await run(['import', file, '--data', data, '--report', report])
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(/5 read · 1 created · 1 updated · 0 unchanged · 3 rejected/)
    const json = JSON.parse(await readFile(report, 'utf8'))
    expect(json.rejects.map((x: { n: number }) => x.n)).toEqual([2, 4, 6])
    expect(json.rejects[0].reason).toMatch(/not JSON/)
    expect(json.rejects[1].reason).toMatch(/title/)
    expect(json.rejects[1].reason).toMatch(/identifiers/)
    expect(json.rejects[2].reason).toMatch(/unknownField/)
    const bad = await run(['import', join(work, 'nothing.jsonl'), '--data', data])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/cannot read/)
    const unknown = await run(['import', join(work, 'x.bin'), '--data', data])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/--format/)
  })

  it('takes titles holding a tab or a line break as a real catalogue has them, refuses other control characters, and prints the real count', async () => {
    const data = join(work, 'poems')
    expect(
      (await run(['admin', 'create', '--data', data, '--username', 'libadmin', '--password', 'county-library-2026']))
        .code,
    ).toBe(0)
    const node = await start(['--data', data, '--port', '0'])
    const file = join(work, 'poems.jsonl')
    const lines: string[] = []
    // 51 of a real corpus's titles hold a tab (新樂府, a tab, then the poem), one a CR LF.
    for (let i = 0; i < 51; i++)
      lines.push(JSON.stringify({ title: `新樂府\t賣炭翁 其${i}`, creators: ['白居易'], subjects: ['唐詩\t新樂府'] }))
    lines.push(JSON.stringify({ title: '長恨歌\r\n并序', creators: ['白居易'] }))
    // And 51 with a control character that is damage, not spacing.
    for (let i = 0; i < 51; i++) lines.push(JSON.stringify({ title: `琵琶行\u0007${i}`, creators: ['白居易'] }))
    await writeFile(file, lines.join('\n') + '\n')
    const r = await run(['import', file, '--data', data])
    expect(r.code, r.stderr).toBe(3)
    expect(r.stdout).toMatch(/103 read · 52 created · 0 updated · 0 unchanged · 51 rejected/)
    const err = r.stderr.trim().split('\n')
    expect(err[0]).toBe('51 refused:')
    expect(err.filter((l) => /^ {2}line \d+: title: control_characters$/.test(l))).toHaveLength(50)
    expect(err.at(-1)).toMatch(/… 1 more not shown, 51 refused in all/)

    const found = await (await fetch(`${node.url}/api/search?q=${encodeURIComponent('賣炭翁')}&limit=100`)).json()
    expect(found.total).toBe(51)
    expect(found.hits.map((h: { title: string }) => h.title)).toContain('新樂府 賣炭翁 其0')
    const both = await (await fetch(`${node.url}/api/search?q=${encodeURIComponent('長恨歌')}`)).json()
    expect(both.total).toBe(1)
    node.child.kill('SIGTERM')
    expect(await node.exited).toBe(0)
  })
})
