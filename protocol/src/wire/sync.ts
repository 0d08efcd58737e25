/**
 * @module wire/sync
 * `/shulin/sync/1.0.0`: named Yjs documents kept in step between peers. The asker opens a
 * stream and writes one length-prefixed JSON header `{"doc": name}`; then both sides write
 * length-prefixed y-protocols sync messages (step 1, step 2, update: `y-protocols/sync`'s own
 * numbered messages, which `@shulin/federation`'s replicator writes and reads with that
 * library) of at most {@link syncLimits}`.maxFrame` bytes, until either side closes.
 *
 * @example
 * ```ts
 * encodeSyncHeader({ doc: 'shared/menu' })  // {"doc":"shared/menu"} as UTF-8
 * decodeSyncHeader(bytes)                    // { doc } or undefined
 * ```
 */
import { z } from 'zod'
import { decodeJsonMessage, encodeJsonMessage } from './exchange.js'

export const SYNC_PROTOCOL = '/shulin/sync/1.0.0'

/** A shared document's name: `channels/hub`, `shared/menu`. */
export const docName = /^[a-z0-9][a-z0-9/_-]{0,127}$/

export const syncLimits = {
  /** Largest frame either way; libp2p's reader must be allowed to hold one whole (its default is 4 MiB). */
  maxFrame: 8 * 1024 * 1024,
  /** The asker's header must come within this. */
  headerTimeoutMs: 10_000,
  /** The first exchange (both sides' step 2) must be done within this. */
  firstSyncMs: 15_000,
  maxInboundStreams: 64,
} as const

/** The stream's first frame. Other keys are ignored, so a later version may add some. */
export const SyncHeader = z.object({ doc: z.string().regex(docName) })
export type SyncHeader = z.infer<typeof SyncHeader>

export const encodeSyncHeader = (header: SyncHeader): Uint8Array => encodeJsonMessage(header)
/** The header, or `undefined` for anything that is not one. */
export const decodeSyncHeader = (bytes: Uint8Array): SyncHeader | undefined => decodeJsonMessage(SyncHeader, bytes)
