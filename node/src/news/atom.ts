/**
 * @module news/atom
 * The node's news as an Atom feed (npm `feed`): the node's name as the feed's title, every link
 * absolute under the portal's address (feed readers resolve nothing), and the posts' sanitised
 * HTML as their content with its own image and link paths made absolute too.
 */
import { Feed } from 'feed'
import type { NewsItem } from '@shulin/protocol'

export interface AtomInput {
  /** The portal's base URL, e.g. `https://lib.example.cn` (no trailing slash). */
  base: string
  /** The node's name. */
  name: string
  items: NewsItem[]
}

/** Paths in sanitised HTML (`src="/…"`, `href="/…"`) made absolute under `base`. */
const absolute = (html: string, base: string) => html.replace(/(src|href)="\/(?!\/)/g, `$1="${base}/`)

export function atomFeed({ base, name, items }: AtomInput): string {
  const root = base.replace(/\/+$/, '')
  const updated = items.reduce((m, i) => (i.updatedAt > m ? i.updatedAt : m), '1970-01-01T00:00:00.000Z')
  const feed = new Feed({
    title: `${name} · 新闻公告`,
    description: `${name}的新闻与公告`,
    id: `${root}/news`,
    link: `${root}/news`,
    language: 'zh-CN',
    updated: new Date(updated),
    generator: 'Shulin',
    copyright: name,
    feedLinks: { atom: `${root}/news.atom` },
    author: { name },
  })
  for (const item of items) {
    feed.addItem({
      title: item.title,
      id: `${root}/news/${item.id}`,
      link: `${root}/news/${item.id}`,
      date: new Date(item.updatedAt),
      published: new Date(item.publishedAt ?? item.createdAt),
      description: item.summary,
      content: absolute(item.html, root),
      author: [{ name: item.source.name }],
    })
  }
  return feed.atom1()
}
