/**
 * @module distribution/content-http
 * The HTTP fallback of content transfer: a node whose peer-to-peer port another library cannot
 * reach (a firewall that lets only its web port through) still serves the files of its channel
 * records over HTTP, with range requests, to the hub and the active members:
 *
 * - `GET {node}/api/federation/content/{sha256}/manifest` — the file's manifest (JSON);
 * - `GET {node}/api/federation/content/{sha256}` with `Range: bytes=A-B` — those bytes (206).
 *
 * The asking node proves who it is with a **content ticket**: a `shulin/content-ticket`
 * envelope it signs with its node key, naming itself, the node asked, the file and an expiry at
 * most {@link maxTicketSeconds} ahead, sent as `Authorization: Shulin-Ticket <base64url JSON>`.
 * The serving node checks the signature (the signer's key is its node id), that it is the node
 * named, that the ticket has not expired (give or take the network's clock tolerance, README
 * "Clocks"), and then the same rule as on the peer network: the
 * signer is the hub or an active member, and the file is one it shares. Bytes are checked by the
 * fetcher against the signed manifest exactly as over libp2p, so HTTP needs no trust of its own.
 */
import { z } from 'zod'
import { NodeId, type SignedEnvelope } from '../federation/schemas.js'
import { Sha256Hex } from './content.js'

export const contentHttpPath = (sha256: string): string => `/api/federation/content/${sha256}`
export const TICKET_SCHEME = 'Shulin-Ticket'
/** A ticket lives an hour at most: long enough for a large file over a slow link, short if stolen. */
export const maxTicketSeconds = 3600

export const ContentTicket = z.strictObject({
  /** The node asking (also the envelope's signer). */
  from: NodeId,
  /** The node asked: a ticket for one node is worth nothing at another. */
  to: NodeId,
  sha256: Sha256Hex,
  /** Expiry, milliseconds since the epoch. */
  exp: z.number().int().positive(),
})
export type ContentTicket = z.infer<typeof ContentTicket>

/** The `Authorization` header carrying a sealed ticket: `Shulin-Ticket <base64url of its JSON>`. */
export function encodeTicketAuthorization(ticket: SignedEnvelope): string {
  return `${TICKET_SCHEME} ${Buffer.from(JSON.stringify(ticket)).toString('base64url')}`
}

/**
 * What an `Authorization` header carries: the ticket's envelope as JSON (not yet verified: the
 * receiver opens it), or why not — `missing` (no ticket there) or `unreadable`.
 */
export function decodeTicketAuthorization(
  header: string | undefined,
): { envelope: unknown } | { error: 'missing' | 'unreadable' } {
  const m = ticketAuthorization.exec(header ?? '')
  if (!m) return { error: 'missing' }
  try {
    return { envelope: JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) }
  } catch {
    return { error: 'unreadable' }
  }
}
const ticketAuthorization = new RegExp(`^${TICKET_SCHEME} ([A-Za-z0-9_-]{1,4096})$`)
