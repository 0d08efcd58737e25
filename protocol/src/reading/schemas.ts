/**
 * @module reading/schemas
 * A reader's own traces of reading: where they are in a resource (EPUB CFI, PDF page,
 * seconds into audio or video), bookmarks and notes, synced between their devices.
 *
 * Merging is by time, never by arrival order: the newest position wins, and bookmarks and
 * notes are merged one by one by their ids (made on the device), so two devices writing at
 * once both keep what they wrote. A deletion is a note with `deleted: true`, kept so a stale
 * device cannot bring it back.
 */
import { z } from 'zod'

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString())

export const ReadingPosition = z.discriminatedUnion('kind', [
  /** An EPUB canonical fragment identifier, e.g. `epubcfi(/6/4!/4/2/1:0)`. */
  z.strictObject({ kind: z.literal('epub'), cfi: z.string().regex(/^epubcfi\(.{1,2000}\)$/s, 'invalid_cfi') }),
  z.strictObject({ kind: z.literal('pdf'), page: z.number().int().min(1).max(1_000_000) }),
  z.strictObject({ kind: z.literal('time'), seconds: z.number().min(0).max(1_000_000) }),
])
export type ReadingPosition = z.infer<typeof ReadingPosition>

export const ProgressUpdate = z.strictObject({
  position: ReadingPosition,
  /** 0 … 1 through the whole work. */
  percentage: z.number().min(0).max(1),
  /** What the reader calls the device ("我的手机"). */
  device: z.string().trim().min(1).max(100),
  /** When the reader was there, by the device's clock (clamped to the node's now). */
  at: isoInstant,
})
export type ProgressUpdate = z.infer<typeof ProgressUpdate>

export const Progress = ProgressUpdate.extend({ receivedAt: z.string() })
export type Progress = z.infer<typeof Progress>

export const Annotation = z.strictObject({
  /** Made on the device (a UUID or ULID), so offline devices never collide. */
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'invalid_id'),
  kind: z.enum(['bookmark', 'note']),
  position: ReadingPosition,
  /** The passage a note is about, and the note itself. */
  quote: z.string().max(2000).optional(),
  text: z.string().max(10_000).optional(),
  color: z.enum(['yellow', 'green', 'blue', 'pink', 'purple']).optional(),
  /** Last change on the device; the newest version of an id wins. */
  updatedAt: isoInstant,
  deleted: z.boolean().default(false),
})
export type Annotation = z.infer<typeof Annotation>

export const SyncRequest = z.strictObject({
  progress: ProgressUpdate.optional(),
  annotations: z.array(Annotation).max(1000).default([]),
})
export type SyncRequest = z.infer<typeof SyncRequest>

export const ReadingState = z.object({
  resourceId: z.string(),
  progress: Progress.nullable(),
  /** Live bookmarks and notes, and deletions (so other devices drop them too). */
  annotations: z.array(Annotation),
})
export type ReadingState = z.infer<typeof ReadingState>

export const ShelfEntry = z.object({ resourceId: z.string(), addedAt: z.string() })
export const HistoryEntry = z.object({ resourceId: z.string(), at: z.string() })
export const LikeState = z.object({ liked: z.boolean(), count: z.number().int() })
export type LikeState = z.infer<typeof LikeState>

/** How a reader likes to read, kept per reader and applied on every device. */
export const ReaderSettings = z.strictObject({
  /** Text size in CSS pixels. */
  fontSize: z.number().int().min(12).max(40).default(18),
  lineHeight: z.number().min(1.2).max(2.4).default(1.7),
  font: z.enum(['serif', 'sans', 'kai']).default('serif'),
  theme: z.enum(['day', 'night', 'sepia']).default('day'),
})
export type ReaderSettings = z.infer<typeof ReaderSettings>

/**
 * A reader's KOReader sync key, as made on their page (`POST /api/me/kosync`): KOReader's
 * "Progress sync" takes `url` as its server, `username`, and `key` as its password. The key is
 * shown this once.
 */
export const KosyncKey = z.object({ username: z.string(), key: z.string(), url: z.string() })
export type KosyncKey = z.infer<typeof KosyncKey>

/** What the reader's page shows about KOReader sync (`GET /api/me/kosync`): never the key. */
export const KosyncStatus = z.object({
  url: z.string(),
  username: z.string().nullable(),
  createdAt: z.string().nullable(),
})
export type KosyncStatus = z.infer<typeof KosyncStatus>
