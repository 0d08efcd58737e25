/**
 * @module staff/library
 * The library's own profile — name, logo, contact, public URL — as the staff console edits it
 * (`PUT /api/staff/library`, admins) and as the portal, the web manifest, share pages, OAI-PMH
 * and OPDS show it (`GET /api/library`). A field left empty (null) falls back to the value the
 * node was started with (`--name`, `--public-url`).
 */
import { z } from 'zod'
import { HttpUrl } from '../federation/schemas.js'

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

export const LibraryProfileUpdate = z.strictObject({
  name: line(64).nullable().optional(),
  logoUrl: LogoUrl.nullable().optional(),
  contact: line(200).nullable().optional(),
  /** Where readers reach the node; only the origin (and a path prefix) of an http(s) URL. */
  publicUrl: HttpUrl.refine((u) => !new URL(u).search && !new URL(u).hash, 'no query or fragment')
    .nullable()
    .optional(),
})
export type LibraryProfileUpdate = z.infer<typeof LibraryProfileUpdate>

/** What readers and clients see (`GET /api/library`). */
export const LibraryProfile = z.object({
  name: z.string(),
  logoUrl: z.string().nullable(),
  contact: z.string().nullable(),
  publicUrl: z.string().nullable(),
})
export type LibraryProfile = z.infer<typeof LibraryProfile>

/** The console's view: what is in effect, what was saved, and what the start flags give. */
export const LibraryProfileSettings = z.object({
  effective: LibraryProfile,
  saved: LibraryProfile.partial(),
  flags: z.object({ name: z.string(), publicUrl: z.string().nullable() }),
  updatedAt: z.string().nullable(),
})
export type LibraryProfileSettings = z.infer<typeof LibraryProfileSettings>
