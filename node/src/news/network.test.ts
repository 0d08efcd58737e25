/**
 * The hub's news travel like national activities: the hub signs its published posts into the
 * `news` catalog, a member pulls it over real libp2p and lists them with the hub as their source
 * (sanitised again on the way in); a withdrawal travels as a newer version; drafts never leave the
 * hub. A member that signs "news" itself, or a hub post with its own key, is refused by the
 * catalog's rule and nothing of it is listed.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NEWS_CATALOG, NewsInput, type NetworkNews } from '@shulin/protocol'
import { createHost, generateNodeKey, seal, type Host, type NodeKey } from '@shulin/federation'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import { NetworkCatalogs } from '../federation/catalogs.js'
import { NewsService } from './service.js'
import { HubNews } from './network.js'

interface Side {
  key: NodeKey
  host: Host
  storage: Storage
  catalogs: NetworkCatalogs
  news: NewsService
  net: HubNews
  from: Array<{ id: string; addrs: string[] }>
}

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

let hubId = ''
async function side(role: 'hub' | 'node', name: string): Promise<Side> {
  const dir = await tempDir('shulin-news-net-')
  const storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
  const key = await generateNodeKey()
  const host = await createHost({ privateKey: key.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
  const catalogs = new NetworkCatalogs({ storage, nodeId: key.nodeId, now: Date.now })
  const news = new NewsService({ storage, nodeId: key.nodeId, library: () => name })
  const net = new HubNews({
    role,
    key,
    news,
    catalog: (n) => catalogs.open(n),
    hubId: () => hubId || undefined,
    publicUrl: () => (role === 'hub' ? 'https://hub.example.cn' : undefined),
  })
  catalogs.setRules((n) => net.catalogRule(n))
  await catalogs.open(NEWS_CATALOG)
  const from: Side['from'] = []
  await catalogs.attach({ host, peers: () => from, mayRead: () => true })
  cleanups.push(async () => {
    net.stop()
    await host.stop()
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })
  return { key, host, storage, catalogs, news, net, from }
}

const pullFrom = async (to: Side, from: Side) => {
  to.from.splice(0, to.from.length, { id: from.key.nodeId, addrs: from.host.getMultiaddrs().map(String) })
  await to.catalogs.pullRound()
}

const input = (title: string, html: string, status: 'draft' | 'published' = 'published') =>
  NewsInput.parse({ title, html, status })

describe('the hub’s news', () => {
  it('reach a member signed by the hub, with their source; forgeries do not', { timeout: 60_000 }, async () => {
    const hub = await side('hub', '国家数字图书馆')
    hubId = hub.key.nodeId
    const member = await side('node', '临安县图书馆')
    const forger = await side('node', '某馆')

    const img = `/api/news/images/${'b'.repeat(64)}`
    const post = await hub.news.create(input('全国阅读日', `<p>欢迎</p><img src="${img}" alt="海报">`))
    await hub.news.create(input('馆内草稿', '<p>未发</p>', 'draft'))
    await member.news.create(input('本馆新闻', '<p>本地</p>'))
    expect(await hub.net.publish()).toBe(1)
    expect(await hub.net.publish()).toBe(0)

    await pullFrom(member, hub)
    expect(await member.net.applyAll()).toBe(1)
    const listed = (await member.news.list({ limit: 20 })).items
    // Newest first: the member's own post was written after the hub's.
    expect(listed.map((i) => [i.title, i.source])).toEqual([
      ['本馆新闻', { nodeId: member.key.nodeId, name: '临安县图书馆', hub: false }],
      ['全国阅读日', { nodeId: hub.key.nodeId, name: '国家数字图书馆', hub: true }],
    ])
    // The hub's own image is served by the hub: absolute under its public URL.
    expect(listed.find((i) => i.id === post.id)!.html).toBe(
      `<p>欢迎</p><img src="https://hub.example.cn${img}" alt="海报" />`,
    )
    // A member cannot edit the hub's post.
    await expect(member.news.update(post.id, input('改', ''))).rejects.toMatchObject({ code: 'forbidden' })

    // A newer version travels: the hub withdraws it.
    await new Promise((r) => setTimeout(r, 5))
    await hub.news.update(post.id, { ...input('全国阅读日', '<p>欢迎</p>'), status: 'withdrawn' })
    expect(await hub.net.publish()).toBe(1)
    await pullFrom(member, hub)
    await member.net.applyAll()
    expect((await member.news.list({ limit: 20 })).items.map((i) => i.title)).toEqual(['本馆新闻'])
    expect((await member.news.get(post.id)).status).toBe('withdrawn')

    // A forger signs "news" of its own, and one over the hub's id with a newer date, and offers them.
    const fake = (id: string): NetworkNews => ({
      id,
      source: { nodeId: hub.key.nodeId, name: '国家数字图书馆' },
      title: '假消息',
      html: '<p>假</p><script>alert(1)</script>',
      pinned: true,
      from: null,
      to: null,
      status: 'published',
      createdAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2030-01-01T00:00:00.000Z',
      publishedAt: '2026-12-01T00:00:00.000Z',
    })
    const forgerCat = await forger.catalogs.open(NEWS_CATALOG)
    await forgerCat.put([
      ['fake-1', await seal(forger.key, 'shulin/news', fake('fake-1'))],
      [post.id, await seal(forger.key, 'shulin/news', fake(post.id))],
    ])
    await pullFrom(member, forger)
    const held = await member.catalogs.open(NEWS_CATALOG)
    expect(await held.get('fake-1')).toBeUndefined()
    expect(await held.get(post.id)).toMatchObject({ signer: hub.key.nodeId, payload: { status: 'withdrawn' } })
    await member.net.applyAll()
    expect((await member.news.list({ limit: 20 })).items.map((i) => i.title)).toEqual(['本馆新闻'])
  })

  it('sanitises what the hub signed again on the way in', { timeout: 30_000 }, async () => {
    const hub = await side('hub', '国家数字图书馆')
    hubId = hub.key.nodeId
    const member = await side('node', '临安县图书馆')
    // Signed by the hub itself (an older node, or a bug): the member still takes no script in.
    const cat = await hub.catalogs.open(NEWS_CATALOG)
    const raw: NetworkNews = {
      id: 'raw-1',
      source: { nodeId: hub.key.nodeId, name: '国家数字图书馆' },
      title: '原样',
      html: '<p onclick="x()">文</p><script>alert(1)</script><a href="javascript:alert(2)">链</a>',
      pinned: false,
      from: null,
      to: null,
      status: 'published',
      createdAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-01T00:00:00.000Z',
      publishedAt: '2026-12-01T00:00:00.000Z',
    }
    await cat.put([['raw-1', await seal(hub.key, 'shulin/news', raw)]])
    await pullFrom(member, hub)
    expect(await member.net.applyAll()).toBe(1)
    expect((await member.news.get('raw-1')).html).toBe('<p>文</p><a rel="noopener">链</a>')
  })
})
