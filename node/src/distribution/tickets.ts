/**
 * @module distribution/tickets
 * Content tickets, the HTTP fallback's credential: a fetcher signs one for one file at one
 * node, for {@link maxTicketSeconds} at most; the node serving the file checks it names this
 * node and that file, verifies, is not expired (15 minutes of clock tolerance either way, README
 * "Clocks"), and comes from the hub or an active member.
 */
import {
  ContentTicket,
  clockToleranceSeconds,
  decodeTicketAuthorization,
  encodeTicketAuthorization,
  maxTicketSeconds,
  skewNote,
} from '@shulin/protocol'
import { EnvelopeError, open, seal } from '@shulin/federation/envelope'
import type { NodeKey } from '@shulin/federation/identity'
import { ProblemError } from '../http/problem.js'
import type { Logger } from '../logger.js'

/** `Authorization` for fetching `sha256` from `to` over HTTP: a content ticket signed by `key`. */
export async function signTicket(key: NodeKey, now: number, to: string, sha256: string): Promise<string> {
  const t: ContentTicket = { from: key.nodeId, to, sha256, exp: now + maxTicketSeconds * 1000 }
  const env = await seal(key, 'shulin/content-ticket', t)
  return encodeTicketAuthorization(env)
}

export interface TicketCheck {
  /** This node: a ticket must name it. */
  nodeId: string
  now: number
  /** Whether the signer may fetch at all. */
  mayFetch: (peer: string) => boolean
  logger?: Logger | undefined
}

/** The node an `Authorization` header's content ticket speaks for, if it holds; a problem (401/403) if not. */
export function ticketHolder(authorization: string | undefined, sha256: string, check: TicketCheck): string {
  const refuse = (detail: string) => new ProblemError('unauthenticated', { detail })
  const read = decodeTicketAuthorization(authorization)
  if ('error' in read)
    throw refuse(
      read.error === 'missing'
        ? 'a content ticket is required (Authorization: Shulin-Ticket …)'
        : 'the content ticket is not readable',
    )
  const env = read.envelope
  let t: ContentTicket
  try {
    t = open(env, ContentTicket, { type: 'shulin/content-ticket' })
  } catch (err) {
    if (err instanceof EnvelopeError) throw refuse(`the content ticket does not verify (${err.message})`)
    throw err
  }
  if (t.from !== (env as { signer: string }).signer)
    throw refuse('the content ticket is signed by another node than it names')
  if (t.to !== check.nodeId) throw refuse('the content ticket is for another node')
  if (t.sha256 !== sha256) throw refuse('the content ticket is for another file')
  // Stamped by the signer's clock, checked by this one.
  const tolerance = clockToleranceSeconds * 1000
  if (t.exp <= check.now - tolerance || t.exp > check.now + maxTicketSeconds * 1000 + tolerance) {
    const why = `the content ticket runs until ${new Date(t.exp).toISOString()} (for ${maxTicketSeconds} s at most): ${skewNote(t.exp - maxTicketSeconds * 1000, check.now)}`
    check.logger?.warn({ from: t.from, why }, 'clock skew: a content ticket refused')
    throw refuse(why)
  }
  if (!check.mayFetch(t.from))
    throw new ProblemError('forbidden', { detail: 'only the hub and active members fetch channel files' })
  return t.from
}
