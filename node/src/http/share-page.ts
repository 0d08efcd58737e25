/**
 * @module http/share-page
 * The one page shell every share link opens (a record's, a recitation entry's): in a chat app
 * its Open Graph and Twitter tags become a card; in a browser it is a small readable page in
 * Chinese. Server-rendered so crawlers, which run no script, see the tags.
 *
 * Callers pass values, never markup: every string goes through hono/html's escaping here, and
 * the body is a hono/html template the caller built the same way.
 */
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'

type Html = HtmlEscapedString | Promise<HtmlEscapedString>

/** A page that is no card (a "not found"): no canonical URL, no Open Graph tags. */
export interface PlainPageHead {
  lang: string
  title: string
  description: string
  library: string
  robots?: 'noindex'
}

export interface SharePageHead extends PlainPageHead {
  /** The card's title: the thing shared, without the library's name. */
  cardTitle: string
  /** The canonical, absolute URL of this share page. */
  url: string
  /** `og:type`: `book`, `music.song`, `video.other`, `article`, `website`. */
  ogType: string
  /** An absolute image URL for the card; a larger card when there is one. */
  image?: string | undefined
  /** An absolute audio URL (`og:audio`). */
  audio?: string | undefined
  /** More `<meta property>` pairs (`book:author`, `music:duration`), in order. */
  more?: Array<[property: string, content: string]>
}

const style =
  'body{font:16px/1.7 system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#1f2328;background:#faf8f5}main{max-width:40rem;margin:0 auto;padding:1.5rem}img{max-width:100%;border-radius:6px}img.cover{max-width:10rem;border-radius:4px;box-shadow:0 1px 4px #0003}h1{font-size:1.5rem;margin:.75rem 0 .25rem}.meta{color:#57606a}audio{width:100%;margin:1rem 0}.go{display:inline-block;margin-top:.5rem;padding:.6rem 1.4rem;background:#9b2c2c;color:#fff;border-radius:6px;text-decoration:none}'

/** The `<head>` tags of a share card: title, description, canonical URL, Open Graph, Twitter. */
export function shareHead(h: SharePageHead | PlainPageHead): Html {
  const plain = html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${h.robots ? html`<meta name="robots" content="${h.robots}">` : ''}
<title>${h.title} · ${h.library}</title>
<meta name="description" content="${h.description}">
<style>${raw(style)}</style>`
  if (!('url' in h)) return plain
  return html`${plain}
<link rel="canonical" href="${h.url}">
<meta property="og:site_name" content="${h.library}">
<meta property="og:type" content="${h.ogType}">
<meta property="og:title" content="${h.cardTitle}">
<meta property="og:description" content="${h.description}">
<meta property="og:url" content="${h.url}">
<meta property="og:locale" content="zh_CN">
${h.audio ? html`<meta property="og:audio" content="${h.audio}">` : ''}
${h.image ? html`<meta property="og:image" content="${h.image}">` : ''}
${(h.more ?? []).map(([p, v]) => html`<meta property="${p}" content="${v}">`)}
<meta name="twitter:card" content="${h.image ? 'summary_large_image' : 'summary'}">`
}

/** A whole share page: the head above, then `body` inside `<main>`, then a link home to the library. */
export function sharePage(h: SharePageHead | PlainPageHead, body: Html): Html {
  return html`<!doctype html>
<html lang="${h.lang}">
<head>
${shareHead(h)}
</head>
<body><main>
${body}
<p class="meta"><a href="/">${h.library}</a></p>
</main></body></html>`
}

/** An absolute http(s) URL for a value that is a path on this node or an http(s) address; else nothing. */
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
