/**
 * @module resources/share-page
 * `GET /share/:id`: the public landing page a share link opens — in a chat app it becomes a
 * card (Open Graph and Twitter tags), in a browser a small readable page in Chinese with
 * the record's details and a link to read it. Only published records have one.
 */
import type { Hono } from 'hono'
import { html, raw } from 'hono/html'
import type { Resource } from '@shulin/protocol'
import type { AppEnv } from '../http/env.js'
import type { BaseUrl } from '../http/base-url.js'
import { ProblemError } from '../http/problem.js'
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
    const page = html`<!doctype html>
<html lang="${m.language.startsWith('zh') ? 'zh-CN' : m.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${m.title} · ${deps.libraryName()}</title>
<meta name="description" content="${description}">
<link rel="canonical" href="${url}">
<meta property="og:site_name" content="${deps.libraryName()}">
<meta property="og:type" content="${ogTypes[r.type] ?? 'website'}">
<meta property="og:title" content="${m.title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${url}">
<meta property="og:locale" content="zh_CN">
${image ? html`<meta property="og:image" content="${image}">` : ''}
${m.creators.map((a) => html`<meta property="book:author" content="${a}">`)}
${m.identifiers.filter((i) => i.startsWith('urn:isbn:')).map((i) => html`<meta property="book:isbn" content="${i.slice(9)}">`)}
<meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}">
<style>${raw('body{font:16px/1.7 system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#1f2328;background:#faf8f5}main{max-width:40rem;margin:0 auto;padding:1.5rem}img{max-width:10rem;border-radius:4px;box-shadow:0 1px 4px #0003}h1{font-size:1.5rem;margin:.75rem 0 .25rem}.meta{color:#57606a}.read{display:inline-block;margin-top:1rem;padding:.6rem 1.4rem;background:#9b2c2c;color:#fff;border-radius:6px;text-decoration:none}')}</style>
</head>
<body><main>
${image ? html`<img src="${image}" alt="${m.title} 封面">` : ''}
<h1>${m.title}</h1>
<p class="meta">${typeLabels[r.type]}${m.creators.length ? html` · ${m.creators.join('、')}` : ''}${m.publisher ? html` · ${m.publisher}` : ''}${m.date ? html` · ${m.date}` : ''}</p>
${m.description ? html`<p>${excerpt(m.description, 600)}</p>` : ''}
${readHref ? html`<a class="read" href="${readHref}">阅读 / Read</a>` : ''}
<p class="meta"><a href="/">${deps.libraryName()}</a></p>
</main></body></html>`
    c.header('cache-control', 'public, max-age=300')
    return c.html(page)
  })
}
