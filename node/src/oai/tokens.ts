/**
 * @module oai/tokens
 * Resumption tokens carry the whole query — verb, format, set, bounds — and where the last
 * page ended (the change-index key of its last item), so they need no server-side state,
 * never expire, and the same token always gives the same page (idempotent). They are
 * base64url JSON, checked with zod when they come back: a garbled token is `badResumptionToken`.
 */
import { z } from 'zod'

const Token = z.strictObject({
  v: z.literal(1),
  verb: z.enum(['ListIdentifiers', 'ListRecords']),
  metadataPrefix: z.literal('oai_dc'),
  set: z.string().max(200).optional(),
  from: z.string().max(40).optional(),
  until: z.string().max(40).optional(),
  after: z.string().min(1).max(200),
  cursor: z.number().int().min(0),
})
export type ResumptionState = z.infer<typeof Token>

export const encodeToken = (t: ResumptionState) => Buffer.from(JSON.stringify(t)).toString('base64url')

export function decodeToken(s: string): ResumptionState | undefined {
  if (s.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(s)) return undefined
  try {
    const r = Token.safeParse(JSON.parse(Buffer.from(s, 'base64url').toString('utf8')))
    return r.success ? r.data : undefined
  } catch {
    return undefined
  }
}
