/**
 * @module distribution/holders
 * Provider records at the hub (`/shulin/holders/1.0.0`): which members hold which channel
 * file, so a fetcher asks those first instead of whichever members come first in the registry.
 * A member tells the hub the files it holds (at start, once a day, and after each fetch); the
 * hub keeps, per file, who said so and when, and answers `who` with the active members that said
 * so lately, the most recent first. One request per stream, one length-prefixed JSON answer.
 *
 * The records say nothing about readers: a file's hash and a library's node id.
 */
import { z } from 'zod'
import { Sha256Hex } from './content.js'
import { NodeId } from '../federation/schemas.js'

export const HOLDERS_PROTOCOL = '/shulin/holders/1.0.0'

export const holdersLimits = {
  /** Files named in one `have`. */
  maxFilesPerMessage: 1000,
  /** Holders in one answer. */
  maxHolders: 32,
  maxMessageBytes: 80 * 1024,
  /** A holder record not renewed for this long is not given out (a member renews daily). */
  maxAgeMs: 3 * 24 * 3600_000,
} as const

export const HoldersRequest = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('have'), files: z.array(Sha256Hex).min(1).max(holdersLimits.maxFilesPerMessage) }),
  z.strictObject({ op: z.literal('who'), sha256: Sha256Hex }),
])
export type HoldersRequest = z.infer<typeof HoldersRequest>

export const HoldersAnswer = z.union([
  z.strictObject({ ok: z.literal(true), holders: z.array(NodeId).max(holdersLimits.maxHolders).optional() }),
  z.strictObject({ ok: z.literal(false), reason: z.enum(['not_member', 'invalid', 'not_hub']) }),
])
export type HoldersAnswer = z.infer<typeof HoldersAnswer>
