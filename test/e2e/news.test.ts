/**
 * The hub's news across real `shulin` processes: the hub's staff publish a post over HTTP, and
 * it appears in a joined member's `GET /api/news` (contract: `{"items":[…]}`) with the hub as
 * its source, beside the member's own; the hub's draft never leaves it; a withdrawal reaches the
 * member too. Each node's Atom feed names the node and links absolutely.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAll } from './processes.js'
import { hubAdminToken, hubAndMembers, json } from './network.js'

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shulin-e2e-news-'))
})
afterAll(async () => {
  await killAll()
  await rm(work, { recursive: true, force: true })
})

const poll = { timeout: 30_000, interval: 300 }

describe('the hub’s news', () => {
  it('reach a member with their source; drafts stay; withdrawals travel', { timeout: 120_000 }, async () => {
    const { hub, hubData, members } = await hubAndMembers(work, 'hub', [['330185', '临安县图书馆']])
    const member = members[0]!
    const hubId = (await json(`${hub.url}/api/health`)).nodeId
    const auth = await hubAdminToken(hubData, hub.url)
    const write = async (method: string, path: string, body: unknown) => {
      const res = await fetch(hub.url + path, {
        method,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      expect(res.status, await res.clone().text()).toBeLessThan(300)
      return (await res.json()) as { id: string }
    }
    const { id } = await write('POST', '/api/staff/news', {
      title: '全民阅读月启动',
      html: '<p>各成员馆同步开展诵读。</p><script>alert(1)</script>',
      status: 'published',
      pinned: true,
    })
    await write('POST', '/api/staff/news', { title: '总馆草稿', html: '<p>未发</p>' })

    await expect
      .poll(async () => (await json(`${member.node.url}/api/news`)).items, poll)
      .toEqual([
        expect.objectContaining({
          id,
          title: '全民阅读月启动',
          html: '<p>各成员馆同步开展诵读。</p>',
          pinned: true,
          source: { nodeId: hubId, name: '国家数字图书馆', hub: true },
        }),
      ])
    const atom = await (await fetch(`${member.node.url}/news.atom`)).text()
    expect(atom).toContain('<title>临安县图书馆 · 新闻公告</title>')
    expect(atom).toContain(`<link href="${member.node.url}/news/${id}"/>`)

    await write('PUT', `/api/staff/news/${id}`, { title: '全民阅读月启动', status: 'withdrawn' })
    await expect.poll(async () => (await json(`${member.node.url}/api/news`)).items, poll).toEqual([])
    expect((await fetch(`${member.node.url}/api/news/${id}`)).status).toBe(404)
  })
})
