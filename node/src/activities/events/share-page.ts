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
import { html } from 'hono/html'
import type { ActivityView, EntryView } from '@shulin/protocol'
import type { AppEnv } from '../../http/env.js'
import type { BaseUrl } from '../../http/base-url.js'
import { absoluteUrl, sharePage } from '../../http/share-page.js'

/** What the share page reads (act-core's activities service answers it). */
export interface SharedEntries {
  /** An entry as the public sees it; undefined when unknown. */
  entry(id: string): Promise<EntryView | undefined>
  /** An activity as readers see it; undefined when unknown or hidden. */
  view(id: string): Promise<ActivityView | undefined>
}

const shown = new Set<EntryView['status']>(['ready', 'processing'])
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
    const page = sharePage(
      {
        lang: 'zh-CN',
        title: `${entry.title} · ${activity.title}`,
        cardTitle: entry.title,
        description,
        url,
        library,
        ogType: audio ? 'music.song' : 'website',
        image,
        audio,
        more: entry.duration ? [['music:duration', String(Math.round(entry.duration))]] : [],
      },
      html`${image ? html`<img src="${image}" alt="${activity.title}">` : ''}
<h1>${entry.title}</h1>
<p class="meta">${entry.author.name} · ${entry.author.library} · ${activity.title}</p>
${audio ? html`<audio controls preload="none" src="${audio}"></audio>` : html`<p class="meta">作品处理中，稍后即可收听。</p>`}
<p><a class="go" href="${portal}">去点赞 / Open in the portal</a></p>`,
    )
    c.header('cache-control', 'public, max-age=300')
    return c.html(page)
  })
}

function notFoundPage(c: Context<AppEnv>, library: string): Response | Promise<Response> {
  c.header('cache-control', 'no-store')
  return c.html(
    sharePage(
      {
        lang: 'zh-CN',
        title: '作品不存在',
        description: '作品不存在或已撤下 / This entry does not exist or was withdrawn.',
        library,
        robots: 'noindex',
      },
      html`<h1>作品不存在或已撤下</h1><p class="meta">This entry does not exist or was withdrawn.</p>`,
    ),
    404,
  )
}
