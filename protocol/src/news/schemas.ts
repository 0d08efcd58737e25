/**
 * @module news/schemas
 * News and announcements (issue 21): what staff write, what readers read, and what the hub
 * signs for every member.
 *
 * - Staff write a {@link NewsInput}: a title, rich text as HTML (the node sanitises it to a small
 *   allow-list before it is stored — the stored `html` is always the sanitised one), pinned, and
 *   an optional publish window. Drafts are seen by staff only; a withdrawn post leaves readers.
 * - Readers list {@link NewsList} (`GET /api/news` → `{"items":[…]}`: published, inside the
 *   window, pinned first, newest first, paged by `next`).
 * - The hub signs its published and withdrawn posts (`shulin/news`, {@link NetworkNews}) into the
 *   replicated catalog {@link NEWS_CATALOG}; members check the signature, sanitise again, and list
 *   them with the hub as their source.
 */
import { z } from 'zod'
import { NodeId } from '../federation/schemas.js'
import { singleLine } from '../text.js'

/** The replicated catalog of the hub's news (record id = post id). */
export const NEWS_CATALOG = 'news'

export const NewsStatus = z.enum(['draft', 'published', 'withdrawn'])
export type NewsStatus = z.infer<typeof NewsStatus>

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString())

/** Raw rich text as staff send it: bounded before it is parsed at all. */
export const NewsHtml = z.string().max(200_000)

/** What staff send to create or replace a post. */
export const NewsInput = z
  .strictObject({
    title: singleLine(200),
    html: NewsHtml.default(''),
    pinned: z.boolean().default(false),
    /** Shown from this instant (none: from publication). */
    from: instant.nullable().default(null),
    /** Hidden after this instant (none: until withdrawn). */
    to: instant.nullable().default(null),
    status: NewsStatus.default('draft'),
  })
  .refine((n) => !n.from || !n.to || n.from < n.to, { message: 'window_empty', path: ['to'] })
export type NewsInput = z.infer<typeof NewsInput>

export const NewsSource = z.strictObject({
  nodeId: NodeId,
  /** The source library's name, as it named itself when it signed. */
  name: z.string().max(200),
  /** True when the post came from the hub (a member's portal says so). */
  hub: z.boolean(),
})
export type NewsSource = z.infer<typeof NewsSource>

/** A post as readers (and staff) see it. */
export const NewsItem = z.strictObject({
  id: z.string(),
  title: z.string(),
  /** Sanitised HTML: safe to render as it is. */
  html: z.string(),
  /** Plain-text opening, for lists and feeds. */
  summary: z.string(),
  /** The first image, for list thumbnails. */
  image: z.string().nullable(),
  pinned: z.boolean(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  status: NewsStatus,
  source: NewsSource,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When it was first published (null for a draft). */
  publishedAt: z.string().nullable(),
})
export type NewsItem = z.infer<typeof NewsItem>

export const NewsList = z.strictObject({
  items: z.array(NewsItem),
  /** Pass as `cursor` for the next page; absent on the last. */
  next: z.string().optional(),
})
export type NewsList = z.infer<typeof NewsList>

export const NewsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z
    .string()
    .regex(/^\d{1,6}$/)
    .optional(),
})
export type NewsQuery = z.infer<typeof NewsQuery>

export const NewsCreated = z.strictObject({ id: z.string() })

/** An uploaded image: `url` goes into the post's `<img src>`. */
export const NewsImage = z.strictObject({ sha256: z.string(), url: z.string() })

/** A hub post as the hub signs it (`shulin/news`); a newer `updatedAt` replaces it. */
export const NetworkNews = z.strictObject({
  id: z.string().min(1).max(64),
  source: z.strictObject({ nodeId: NodeId, name: z.string().max(200) }),
  title: singleLine(200),
  html: NewsHtml,
  pinned: z.boolean(),
  from: z.iso.datetime().nullable(),
  to: z.iso.datetime().nullable(),
  /** Drafts never travel; a withdrawn post leaves the members' portals too. */
  status: z.enum(['published', 'withdrawn']),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  publishedAt: z.iso.datetime().nullable(),
})
export type NetworkNews = z.infer<typeof NetworkNews>
