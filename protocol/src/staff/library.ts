/**
 * @module staff/library
 * The library's own profile — name, logo, contact, public URL — as the staff console edits it
 * (`PUT /api/staff/library`, admins) and as the portal, the web manifest, share pages, OAI-PMH
 * and OPDS show it (`GET /api/library`). A field left empty (null) falls back to the value the
 * node was started with (`--name`, `--public-url`).
 */
import { z } from 'zod'
import { HttpUrl } from '../federation/schemas.js'
import { HexColour, contrastRatio } from './colour.js'

/** No control characters: the name goes into XML feeds, HTML titles and e-mail subjects. */
const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'control_characters')

/** A logo: an http(s) URL, or a path on this node (an uploaded cover, `/icon.svg`). */
export const LogoUrl = z.union([
  HttpUrl,
  z.string().regex(/^\/(?!\/)[^\s<>"']{0,299}$/, 'a URL or a path on this node'),
])

/** The page's paper and the cards' white: what the theme colours are read against. */
export const themeGrounds = { paper: '#fbf8f1', card: '#ffffff' } as const

/**
 * The library's colours: `ink` is the header, buttons and links (white text on it, it on the
 * paper), `accent` the focus ring and error text. Both must keep WCAG 2.1 AA: 4.5 : 1 as text,
 * so a library's brand colour cannot make its own portal unreadable.
 */
export const LibraryTheme = z.strictObject({ ink: HexColour, accent: HexColour }).superRefine((t, ctx) => {
  const low = (path: 'ink' | 'accent', a: string, b: string) => {
    const ratio = contrastRatio(a, b)
    if (ratio < 4.5)
      ctx.addIssue({
        code: 'custom',
        path: [path],
        message: `contrast_too_low: ${ratio.toFixed(2)} : 1 against ${b}, 4.5 needed`,
      })
  }
  low('ink', t.ink, themeGrounds.card)
  low('ink', t.ink, themeGrounds.paper)
  low('accent', t.accent, themeGrounds.card)
  low('accent', t.accent, themeGrounds.paper)
})
export type LibraryTheme = z.infer<typeof LibraryTheme>

export const LibraryProfileUpdate = z.strictObject({
  name: line(64).nullable().optional(),
  logoUrl: LogoUrl.nullable().optional(),
  contact: line(200).nullable().optional(),
  /** Where readers reach the node; only the origin (and a path prefix) of an http(s) URL. */
  publicUrl: HttpUrl.refine((u) => !new URL(u).search && !new URL(u).hash, 'no query or fragment')
    .nullable()
    .optional(),
  theme: LibraryTheme.nullable().optional(),
  /** The hub's only: the network's name, which the hub's portal shows above its own. */
  networkName: line(64).nullable().optional(),
})
export type LibraryProfileUpdate = z.infer<typeof LibraryProfileUpdate>

/** What readers and clients see (`GET /api/library`). */
export const LibraryProfile = z.object({
  name: z.string(),
  logoUrl: z.string().nullable(),
  contact: z.string().nullable(),
  publicUrl: z.string().nullable(),
  /** null: the portal's own ink blue and seal red. */
  theme: z.object({ ink: z.string(), accent: z.string() }).nullable(),
  /** On the hub: the network's name (the hub's portal is the network's); null on a member. */
  network: z.string().nullable(),
})
export type LibraryProfile = z.infer<typeof LibraryProfile>

/** The console's view: what is in effect, what was saved, and what the start flags give. */
export const LibraryProfileSettings = z.object({
  effective: LibraryProfile,
  saved: LibraryProfile.partial().extend({ networkName: z.string().optional() }),
  /** A hub's console also names the network. */
  role: z.enum(['hub', 'node']),
  flags: z.object({ name: z.string(), publicUrl: z.string().nullable() }),
  updatedAt: z.string().nullable(),
})
export type LibraryProfileSettings = z.infer<typeof LibraryProfileSettings>
