/**
 * @module activities/events/share-page
 * `GET /share/entries/:id`: the page a recitation entry's share link opens. In a chat app it
 * becomes a card (Open Graph: the entry's title, who read it for which activity, its audio and
 * the activity's cover); in a browser it is a small page in Chinese with a player and a link
 * into the portal. Server-rendered so that crawlers, which run no script, see the tags.
 *
 * Every value from a reader or organiser (titles, names) goes through hono/html's escaping;
 * URLs are taken only when they are this node's paths or http(s) addresses. An unknown,
 * withdrawn, disqualified or failed entry gets a 404 page (HTML: it is opened in a browser).
 */
import type { Context, Hono } from 'hono'
import { html, raw } from 'hono/html'
import type { ActivityView, EntryView } from '@shulin/protocol'
import type { AppEnv } from '../../http/env.js'
import type { BaseUrl } from '../../http/base-url.js'

/** What the share page reads (act-core's activities service answers it). */
export interface SharedEntries {
  /** An entry as the public sees it; undefined when unknown. */
  entry(id: string): Promise<EntryView | undefined>
  /** An activity as readers see it; undefined when unknown or hidden. */
  view(id: string): Promise<ActivityView | undefined>
}

const shown = new Set<EntryView['status']>(['ready', 'processing'])
const style =
  'body{font:16px/1.7 system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#1f2328;background:#faf8f5}main{max-width:40rem;margin:0 auto;padding:1.5rem}img{max-width:100%;border-radius:6px}h1{font-size:1.5rem;margin:.75rem 0 .25rem}.meta{color:#57606a}audio{width:100%;margin:1rem 0}.go{display:inline-block;margin-top:.5rem;padding:.6rem 1.4rem;background:#9b2c2c;color:#fff;border-radius:6px;text-decoration:none}'

/** An absolute http(s) URL for a value that is a path on this node or an http(s) URL; else nothing. */
export function absoluteUrl(base: string, value: string | null | undefined): string | undefined {
  if (!value) return undefined
  if (value.startsWith('/') && !value.startsWith('//')) return base + value
  try {
    const u = new URL(value)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined
  } catch {
    return undefined
  }
}

export function entrySharePageRoutes(
  app: Hono<AppEnv>,
  deps: { entries: SharedEntries; baseUrl: BaseUrl; libraryName: () => string },
): void {
  app.get('/share/entries/:id', async (c) => {
    const entry = await deps.entries.entry(c.req.param('id'))
    if (!entry || !shown.has(entry.status)) return notFoundPage(c, deps.libraryName())
    const activity = await deps.entries.view(entry.activity)
    if (!activity) return notFoundPage(c, deps.libraryName())
    const base = deps.baseUrl(c)
    const library = deps.libraryName()
    const url = `${base}/share/entries/${encodeURIComponent(entry.id)}`
    const portal = `/activities/${encodeURIComponent(activity.id)}/entries/${encodeURIComponent(entry.id)}`
    const audio = entry.status === 'ready' ? absoluteUrl(base, entry.audio) : undefined
    const image = absoluteUrl(base, activity.cover)
    const description = `${entry.author.name}（${entry.author.library}）朗读 · ${activity.title}`
    const page = html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${entry.title} · ${activity.title} · ${library}</title>
<meta name="description" content="${description}">
<link rel="canonical" href="${url}">
<meta property="og:site_name" content="${library}">
<meta property="og:type" content="${audio ? 'music.song' : 'website'}">
<meta property="og:title" content="${entry.title}">
<meta property="og:description" content="${description}">
<meta property="og:url" content="${url}">
<meta property="og:locale" content="zh_CN">
${audio ? html`<meta property="og:audio" content="${audio}">` : ''}
${image ? html`<meta property="og:image" content="${image}">` : ''}
${entry.duration ? html`<meta property="music:duration" content="${Math.round(entry.duration)}">` : ''}
<meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}">
<style>${raw(style)}</style>
</head>
<body><main>
${image ? html`<img src="${image}" alt="${activity.title}">` : ''}
<h1>${entry.title}</h1>
<p class="meta">${entry.author.name} · ${entry.author.library} · ${activity.title}</p>
${audio ? html`<audio controls preload="none" src="${audio}"></audio>` : html`<p class="meta">作品处理中，稍后即可收听。</p>`}
<p><a class="go" href="${portal}">去点赞 / Open in the portal</a></p>
<p class="meta"><a href="/">${library}</a></p>
</main></body></html>`
    c.header('cache-control', 'public, max-age=300')
    return c.html(page)
  })
}

function notFoundPage(c: Context<AppEnv>, library: string): Response | Promise<Response> {
  c.header('cache-control', 'no-store')
  return c.html(
    html`<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>作品不存在 · ${library}</title><style>${raw(style)}</style></head>
<body><main><h1>作品不存在或已撤下</h1><p class="meta">This entry does not exist or was withdrawn.</p>
<p><a class="go" href="/">${library}</a></p></main></body></html>`,
    404,
  )
}
