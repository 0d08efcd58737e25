/**
 * @module resources/share-page
 * `GET /share/:id`: the public landing page a share link opens — in a chat app it becomes a
 * card (Open Graph and Twitter tags), in a browser a small readable page in Chinese with
 * the record's details and a link to read it. Only published records have one. The page's
 * shell and card tags are http/share-page's, shared with the other share pages.
 */
import type { Hono } from 'hono'
import { html } from 'hono/html'
import type { Resource } from '@shulin/protocol'
import type { AppEnv } from '../http/env.js'
import type { BaseUrl } from '../http/base-url.js'
import { ProblemError } from '../http/problem.js'
import { sharePage } from '../http/share-page.js'
import type { ResourceService } from './service.js'

const typeLabels: Record<Resource['type'], string> = {
  book: '图书',
  audiobook: '有声书',
  journal: '期刊',
  'journal-issue': '期刊（期）',
  article: '文章',
  'image-set': '图集',
  video: '视频',
  course: '公开课',
  lecture: '讲座',
}
const ogTypes: Partial<Record<Resource['type'], string>> = {
  book: 'book',
  audiobook: 'music.song',
  video: 'video.other',
  article: 'article',
}

const excerpt = (s: string | undefined, n: number) => (s ? (s.length > n ? s.slice(0, n - 1) + '…' : s) : '')

export function sharePageRoutes(
  app: Hono<AppEnv>,
  deps: { resources: ResourceService; baseUrl: BaseUrl; libraryName: () => string },
): void {
  app.get('/share/:id', async (c) => {
    const r = await deps.resources.records.get(c.req.param('id'))
    if (!r || r.status !== 'published') throw new ProblemError('not_found')
    const base = deps.baseUrl(c)
    const url = `${base}/share/${r.id}`
    const m = r.metadata
    const image = r.files.some((f) => f.role === 'thumbnail')
      ? `${base}/api/resources/${r.id}/files/thumbnail`
      : r.files.some((f) => f.role === 'cover')
        ? `${base}/api/resources/${r.id}/files/cover`
        : undefined
    const description =
      excerpt(m.description, 200) || [m.creators.join('、'), m.publisher, m.date].filter(Boolean).join(' · ')
    const readHref = r.files.some((f) => f.role === 'content') ? `/api/resources/${r.id}/content` : undefined
    const page = sharePage(
      {
        lang: m.language.startsWith('zh') ? 'zh-CN' : m.language,
        title: m.title,
        cardTitle: m.title,
        description,
        url,
        library: deps.libraryName(),
        ogType: ogTypes[r.type] ?? 'website',
        image,
        more: [
          ...m.creators.map((a): [string, string] => ['book:author', a]),
          ...m.identifiers
            .filter((i) => i.startsWith('urn:isbn:'))
            .map((i): [string, string] => ['book:isbn', i.slice(9)]),
        ],
      },
      html`${image ? html`<img class="cover" src="${image}" alt="${m.title} 封面">` : ''}
<h1>${m.title}</h1>
<p class="meta">${typeLabels[r.type]}${m.creators.length ? html` · ${m.creators.join('、')}` : ''}${m.publisher ? html` · ${m.publisher}` : ''}${m.date ? html` · ${m.date}` : ''}</p>
${m.description ? html`<p>${excerpt(m.description, 600)}</p>` : ''}
${readHref ? html`<a class="go" href="${readHref}">阅读 / Read</a>` : ''}`,
    )
    c.header('cache-control', 'public, max-age=300')
    return c.html(page)
  })
}
