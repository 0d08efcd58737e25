/**
 * Guessing with many requests at once, against a real node process over HTTP (issue 15, items
 * 2 and 3): hundreds of concurrent wrong passwords, OPDS Basic credentials or reset codes for
 * one account from one address. The throttle counts an attempt before it is checked, so
 * concurrency buys the guesser nothing: at most the allowed few are ever checked, the rest
 * are refused with 429, and a reset code dies after its fifth wrong try.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freeFailures } from '../../node/src/accounts/throttle.js'
import { killAll, start, type Started } from './processes.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-throttle-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const json = { 'content-type': 'application/json' }
const post = (node: Started, path: string, body: unknown) =>
  fetch(node.url + path, { method: 'POST', headers: json, body: JSON.stringify(body) })

/** Each test gets its own node, so one attack's failures from 127.0.0.1 do not limit the next. */
async function nodeWithReader(name: string, phone: string, password: string): Promise<Started> {
  const node = await start(['--data', join(work, name), '--port', '0'])
  const reg = await post(node, '/api/auth/register', { mode: 'quick', phone, password })
  expect(reg.status, await reg.clone().text()).toBe(201)
  return node
}

/**
 * How many attempts the throttle lets through while an attack lasts `ms`: the free ones, then
 * one after each doubling wait (1 s, 2 s, 4 s, …) — one more than that, as a margin.
 */
const allowedIn = (ms: number) => freeFailures + Math.ceil(Math.log2(ms / 1000 + 1)) + 1

/** Sends every request at once and tallies the answers by status, with how long it all took. */
async function tally(requests: Array<() => Promise<Response>>): Promise<Record<number, number> & { ms: number }> {
  const started = Date.now()
  const statuses = await Promise.all(
    requests.map(async (send) => {
      const res = await send()
      await res.arrayBuffer()
      return res.status
    }),
  )
  const out: Record<number, number> & { ms: number } = { ms: Date.now() - started }
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1
  return out
}

async function stop(node: Started): Promise<void> {
  node.child.kill('SIGTERM')
  await node.exited
}

describe('concurrent guessing against a running node', () => {
  it('600 concurrent wrong passwords for one account from one address: only the few the throttle allows are checked', async () => {
    const node = await nodeWithReader('signin', '13800138000', 'reading2026')
    const answers = await tally(
      Array.from(
        { length: 600 },
        (_, i) => () => post(node, '/api/auth/login', { identifier: '13800138000', password: `guess-${i}-x` }),
      ),
    )
    // Before the fix every one was checked (600 × 401).
    expect(answers[401] ?? 0, JSON.stringify(answers)).toBeLessThanOrEqual(allowedIn(answers.ms))
    expect(answers[429], JSON.stringify(answers)).toBe(600 - (answers[401] ?? 0))
    // The account is now slowed down: even the right password waits.
    const right = await post(node, '/api/auth/login', { identifier: '13800138000', password: 'reading2026' })
    expect(right.status).toBe(429)
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0)
    await stop(node)
  }, 180_000)

  it('300 concurrent wrong OPDS Basic credentials: only the few the throttle allows are checked', async () => {
    const node = await nodeWithReader('opds', '13900139000', 'reading2026')
    const basic = (password: string) => ({
      authorization: `Basic ${Buffer.from(`13900139000:${password}`).toString('base64')}`,
    })
    const answers = await tally(
      Array.from(
        { length: 300 },
        (_, i) => () => fetch(`${node.url}/opds/v1.2/catalog.xml`, { headers: basic(`guess-${i}-x`) }),
      ),
    )
    // Before the fix every one was checked (300 × 401).
    expect(answers[401] ?? 0, JSON.stringify(answers)).toBeLessThanOrEqual(allowedIn(answers.ms))
    expect(answers[429], JSON.stringify(answers)).toBe(300 - (answers[401] ?? 0))
    await stop(node)
  }, 180_000)

  it('3,000 concurrent reset-code guesses with the real code among them: the code dies, the password stays', async () => {
    const node = await nodeWithReader('reset', '13700137000', 'reading2026')
    expect((await post(node, '/api/auth/password/forgot', { identifier: '13700137000' })).status).toBe(202)
    // The console code sender writes the code to the node's log.
    let code: string | undefined
    for (
      const deadline = Date.now() + 10_000;
      !code && Date.now() < deadline;
      await new Promise((r) => setTimeout(r, 50))
    ) {
      code = /one-time code for 137\*{4}7000: (\d{6})/.exec(node.output())?.[1]
    }
    expect(code).toMatch(/^\d{6}$/)
    // Wrong guesses, with the real code slipped in every hundred from the fiftieth on (after
    // the fifth wrong guess, so a code that dies at its fifth wrong try must not take it).
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0')
    const guesses = Array.from({ length: 3000 }, (_, i) => (i % 100 === 50 ? code! : wrong(i)))
    const answers = await tally(
      guesses.map(
        (guess) => () =>
          post(node, '/api/auth/password/reset', {
            identifier: '13700137000',
            code: guess,
            password: 'taken-over-2026',
          }),
      ),
    )
    // Before the fix the real code was accepted (a 200 among the answers).
    expect(answers[200], JSON.stringify(answers)).toBeUndefined()
    expect(answers[400] ?? 0, JSON.stringify(answers)).toBeLessThanOrEqual(allowedIn(answers.ms))
    expect((answers[400] ?? 0) + (answers[429] ?? 0), JSON.stringify(answers)).toBe(3000)
    // The code is dead even when sent alone now, and the reader's password is unchanged.
    const late = await post(node, '/api/auth/password/reset', {
      identifier: '13700137000',
      code,
      password: 'taken-over-2026',
    })
    expect([400, 429]).toContain(late.status)
    expect(
      (await post(node, '/api/auth/login', { identifier: '13700137000', password: 'taken-over-2026' })).status,
    ).toBe(401)
    expect((await post(node, '/api/auth/login', { identifier: '13700137000', password: 'reading2026' })).status).toBe(
      200,
    )
    await stop(node)
  }, 180_000)
})
