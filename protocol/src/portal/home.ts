/**
 * @module portal/home
 * The home page's layout as the staff arrange it: a banner strip (image, link, alt text, in
 * order) and the sections below it, in the staff's order, each shown or hidden.
 */
import { z } from 'zod'
import { singleLine } from '../text.js'

/**
 * The home page's sections. `shelves` is one sideways shelf per column (栏目) and topic (专题),
 * in the collections' own order; the others are the parts the portal already has.
 */
export const HomeSectionKind = z.enum([
  'banners',
  'news',
  'shelves',
  'newArrivals',
  'recommendations',
  'courses',
  'live',
  'activities',
])
export type HomeSectionKind = z.infer<typeof HomeSectionKind>

export const HomeSection = z.object({ kind: HomeSectionKind, hidden: z.boolean() })
export type HomeSection = z.infer<typeof HomeSection>

/**
 * Where a banner leads: a path on this portal (`/collections/…`) or an https address. Nothing
 * else — a `javascript:` or `data:` link on the front page would run in every reader's session.
 */
export const BannerLink = z
  .string()
  .trim()
  .max(2000)
  .refine((s) => (s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\')) || /^https:\/\/[^\s/]/.test(s), {
    message: 'link_not_allowed',
  })
  .refine((s) => !/[\u0000-\u0020\u007f]/.test(s), { message: 'link_not_allowed' })

export const Banner = z.object({
  id: z.string(),
  /** Text for readers who cannot see the image: what the banner says and where it leads. */
  alt: z.string(),
  href: z.string(),
  /** Blob of the image (served at /api/portal/banners/:id/image); a banner without one is not shown. */
  image: z.object({ blob: z.string(), mediaType: z.string() }).nullable(),
})
export type Banner = z.infer<typeof Banner>

/** The staff's view: every banner and section, hidden ones too. */
export const HomeLayout = z.object({
  sections: z.array(HomeSection),
  banners: z.array(Banner),
  revision: z.number().int(),
  updatedAt: z.string().nullable(),
})
export type HomeLayout = z.infer<typeof HomeLayout>

export const NewBannerRequest = z.strictObject({ alt: singleLine(200), href: BannerLink })
export type NewBannerRequest = z.infer<typeof NewBannerRequest>

/**
 * Replaces the order and visibility of sections (each kind once, all of them) and the banners'
 * order, text and links (a banner left out is removed; new ones come from `POST …/banners`).
 */
export const UpdateHomeLayoutRequest = z.strictObject({
  sections: z
    .array(z.strictObject({ kind: HomeSectionKind, hidden: z.boolean() }))
    .refine((s) => s.length === HomeSectionKind.options.length && new Set(s.map((x) => x.kind)).size === s.length, {
      message: 'each_section_once',
    })
    .optional(),
  banners: z
    .array(z.strictObject({ id: z.string().min(1).max(64), alt: singleLine(200), href: BannerLink }))
    .max(20)
    .refine((b) => new Set(b.map((x) => x.id)).size === b.length, { message: 'duplicate_banner' })
    .optional(),
})
export type UpdateHomeLayoutRequest = z.infer<typeof UpdateHomeLayoutRequest>

/** What the home page reads: visible sections in order, banners with an image, their image URLs. */
export const PortalHome = z.object({
  sections: z.array(HomeSectionKind),
  banners: z.array(z.object({ id: z.string(), alt: z.string(), href: z.string(), image: z.string() })),
})
export type PortalHome = z.infer<typeof PortalHome>
