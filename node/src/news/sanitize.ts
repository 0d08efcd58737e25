/**
 * @module news/sanitize
 * The one place news HTML is made safe (sanitize-html with a small allow-list). Every post is
 * sanitised as it is stored — what staff send, and again what a member takes from the hub
 * (a signature proves who wrote it, not that it is harmless) — so readers' pages and the Atom
 * feed render the stored HTML as it is.
 *
 * Allowed: p, br, h2–h4, strong, em, a[href] (http, https or relative; `rel="noopener"` added),
 * ul/ol/li, blockquote, figure/figcaption, img[src, alt] where src is https or one of this
 * node's news images (`/api/news/images/<sha256>`). Everything else goes: script and style with
 * their content, event handlers, `style`, `javascript:`/`data:` URLs, protocol-relative links.
 */
import sanitizeHtml from 'sanitize-html'

/** Where this node serves a news image (the upload answers this URL). */
export const newsImagePath = (sha256: string) => `/api/news/images/${sha256}`
const ownImageRe = /^\/api\/news\/images\/[0-9a-f]{64}$/

/** An image source readers' browsers may load: https anywhere, or this node's own news image. */
export function imageAllowed(src: string | undefined): boolean {
  if (!src) return false
  if (ownImageRe.test(src)) return true
  try {
    return new URL(src).protocol === 'https:'
  } catch {
    return false
  }
}

const options: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'h2',
    'h3',
    'h4',
    'strong',
    'em',
    'a',
    'ul',
    'ol',
    'li',
    'blockquote',
    'img',
    'figure',
    'figcaption',
  ],
  allowedAttributes: { a: ['href', 'rel'], img: ['src', 'alt'] },
  allowedSchemes: ['http', 'https'],
  allowedSchemesByTag: { img: ['https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // Whatever rel was sent: a linked page never gets a handle on the reader's tab.
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener' } }),
  },
  // An image whose source is neither https nor this node's own goes whole (a relative path could
  // point at any route of the node, e.g. a GET that changes something).
  exclusiveFilter: (frame) => frame.tag === 'img' && !imageAllowed(frame.attribs.src),
}

/** The post's HTML as it may be stored and rendered. */
export function sanitizeNewsHtml(html: string): string {
  return sanitizeHtml(html, options).trim()
}

/** The plain text of (sanitised) HTML, whitespace collapsed, at most `max` characters. */
export function plainSummary(html: string, max = 140): string {
  const text = sanitizeHtml(html.replace(/<\/(p|h[2-4]|li|blockquote|figcaption)>|<br\s*\/?>/gi, '$& '), {
    allowedTags: [],
    allowedAttributes: {},
  })
    // The text keeps entities escaped (`&amp;`): readers' lists show it as text, so unescape the few.
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
  return [...text].length > max ? [...text].slice(0, max - 1).join('') + '…' : text
}

/** The first image's source in sanitised HTML (a list's thumbnail), if any. */
export function firstImage(html: string): string | null {
  const m = /<img\b[^>]*\bsrc="([^"]+)"/.exec(html)
  return m ? m[1]!.replace(/&amp;/g, '&') : null
}

/** The sha256 of every own news image a post uses (kept from garbage collection). */
export function ownImages(html: string): string[] {
  return [...html.matchAll(/src="\/api\/news\/images\/([0-9a-f]{64})"/g)].map((m) => m[1]!)
}
