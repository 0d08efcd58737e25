/**
 * @module recommend/schemas
 * Recommendations (猜你喜欢, 读过这本的人也读了): records with the reason each was picked, in the
 * reader's language, and the reader groups staff define (a list of readers with its own
 * popular list). Nothing here names another reader.
 */
import { z } from 'zod'
import { singleLine } from '../text.js'

/** Why an item was picked; the UI may pick an icon by it, `reason` is the sentence to show. */
export const RecommendationSource = z.enum(['co-reading', 'similar', 'staff-pick', 'group', 'popular', 'network'])
export type RecommendationSource = z.infer<typeof RecommendationSource>

export const Recommendation = z.object({
  id: z.string(),
  title: z.string(),
  reason: z.string(),
  source: RecommendationSource,
})
export type Recommendation = z.infer<typeof Recommendation>

export const RecommendationList = z.object({ items: z.array(Recommendation) })
export type RecommendationList = z.infer<typeof RecommendationList>

export const RecommendationQuery = z.strictObject({
  /** A record: what readers of it also read (a record page's section). */
  for: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
})

/** A staff-defined reader group: its readers (account ids) see the group's popular reads. */
export const ReaderGroup = z.object({
  id: z.string(),
  name: z.string(),
  members: z.array(z.string()),
  updatedAt: z.string(),
})
export type ReaderGroup = z.infer<typeof ReaderGroup>

export const SaveReaderGroupRequest = z.strictObject({
  name: singleLine(100),
  members: z.array(z.string().min(1).max(100)).max(10_000),
})
export type SaveReaderGroupRequest = z.infer<typeof SaveReaderGroupRequest>

export const ReaderGroupList = z.object({ items: z.array(ReaderGroup) })
