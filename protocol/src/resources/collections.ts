/**
 * @module resources/collections
 * Columns (栏目) and topics (专题): ordered, curated lists of resources with a title,
 * description, cover and an optional publish window.
 */
import { z } from 'zod'
import { singleLine } from '../text.js'

export const CollectionKind = z.enum(['column', 'topic'])
export type CollectionKind = z.infer<typeof CollectionKind>

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString())

export const Collection = z.object({
  id: z.string(),
  kind: CollectionKind,
  title: z.string(),
  description: z.string().optional(),
  /** Blob of the cover image (served at /api/collections/:id/cover). */
  cover: z.object({ blob: z.string(), mediaType: z.string() }).nullable(),
  /** Resource ids, in the order staff arranged them. */
  items: z.array(z.string()),
  /** Position among collections of its kind (smaller first). */
  position: z.number(),
  /** Shown only from/until these instants, when set. */
  visibleFrom: z.string().nullable(),
  visibleUntil: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  revision: z.number().int(),
})
export type Collection = z.infer<typeof Collection>

const collectionFields = {
  title: singleLine(200),
  description: z.string().max(5000).optional(),
  items: z.array(z.string().min(1).max(64)).max(10_000).default([]),
  position: z.number().min(-1e9).max(1e9).default(0),
  visibleFrom: isoInstant.nullable().default(null),
  visibleUntil: isoInstant.nullable().default(null),
}

export const CreateCollectionRequest = z
  .strictObject({ kind: CollectionKind, ...collectionFields })
  .refine((c) => !c.visibleFrom || !c.visibleUntil || c.visibleFrom < c.visibleUntil, {
    message: 'window_reversed',
    path: ['visibleUntil'],
  })
export type CreateCollectionRequest = z.infer<typeof CreateCollectionRequest>

export const UpdateCollectionRequest = z.strictObject({
  title: collectionFields.title.optional(),
  description: collectionFields.description,
  items: z.array(z.string().min(1).max(64)).max(10_000).optional(),
  position: z.number().min(-1e9).max(1e9).optional(),
  visibleFrom: isoInstant.nullable().optional(),
  visibleUntil: isoInstant.nullable().optional(),
})
export type UpdateCollectionRequest = z.infer<typeof UpdateCollectionRequest>

export const CollectionList = z.object({ collections: z.array(Collection) })
export type CollectionList = z.infer<typeof CollectionList>
