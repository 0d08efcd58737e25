/**
 * @module courses/subscriptions
 * A reader's subscriptions (订阅) to a course or a series (专题, a course's `metadata.series`):
 * each new lecture of it puts one notice in the reader's inbox — or to a topic (a collection of
 * kind `topic`): new items joining it put one notice per batch.
 */
import { z } from 'zod'
import { singleLine } from '../text.js'

/** What is subscribed: one course by id, a series by its name, or a topic (collection) by id. */
export const SubscriptionTarget = z.union([
  z.strictObject({ course: z.string().min(1).max(64) }),
  z.strictObject({ series: singleLine(200) }),
  z.strictObject({ topic: z.string().min(1).max(64) }),
])
export type SubscriptionTarget = z.infer<typeof SubscriptionTarget>

export const Subscription = z.object({
  course: z.string().optional(),
  series: z.string().optional(),
  topic: z.string().optional(),
  /** The course's or topic's title or the series' name, for the list. */
  title: z.string(),
  createdAt: z.string(),
})
export type Subscription = z.infer<typeof Subscription>

export const SubscriptionList = z.object({ subscriptions: z.array(Subscription) })
export type SubscriptionList = z.infer<typeof SubscriptionList>

/** Whether the reader is subscribed to one target (`GET /api/me/subscriptions/state`). */
export const SubscriptionState = z.object({ subscribed: z.boolean() })
export type SubscriptionState = z.infer<typeof SubscriptionState>
