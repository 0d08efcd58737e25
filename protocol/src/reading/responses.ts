/**
 * @module reading/responses
 * What the reader's shelf and history routes answer: each entry with the record it points at
 * (only records the reader can still see).
 */
import { z } from 'zod'
import { Resource } from '../resources/schemas.js'
import { HistoryEntry, ShelfEntry } from './schemas.js'

/** `GET /api/me/shelf`, newest first. */
export const ShelfList = z.object({ items: z.array(ShelfEntry.extend({ resource: Resource })) })
export type ShelfList = z.infer<typeof ShelfList>

/** `GET /api/me/history`, newest first. */
export const HistoryList = z.object({ items: z.array(HistoryEntry.extend({ resource: Resource })) })
export type HistoryList = z.infer<typeof HistoryList>
