/**
 * @module problem
 * RFC 9457 problem details: the one error shape of every Shulin JSON API, and the codes
 * that clients (the web UI, scripts) switch on.
 */
import { z } from 'zod'

export const problemCodes = [
  'validation_failed',
  'malformed_json',
  'sparql_malformed',
  'sparql_update_refused',
  'sparql_time_limit',
  'sparql_result_limit',
  'sparql_not_acceptable',
  'unsupported_media_type',
  'payload_too_large',
  'unauthenticated',
  'forbidden',
  'csrf_failed',
  'not_found',
  'method_not_allowed',
  'phone_taken',
  'id_number_taken',
  'username_taken',
  'card_taken',
  'identifier_taken',
  'precondition_failed',
  'precondition_required',
  'conflict',
  'range_not_satisfiable',
  'not_acceptable',
  'file_rejected',
  'join_refused',
  'peer_unreachable',
  'sign_in_refused',
  'home_unknown',
  'misdirected_request',
  'invalid_credentials',
  'too_many_attempts',
  'account_disabled',
  // Sign-in against the library's ILS (SIP2).
  'ils_unavailable',
  'patron_blocked',
  'invalid_code',
  'invalid_setup_token',
  'setup_done',
  // Event sign-up and check-in (activities/events).
  'signup_closed',
  'already_signed_up',
  'not_signed_up',
  'check_in_invalid',
  'check_in_expired',
  'check_in_wrong_activity',
  'check_in_cancelled',
  'already_checked_in',
  'shutting_down',
  'content_fetching',
  'content_unavailable',
  'insufficient_storage',
  'low_disk_space',
  'not_ready',
  'already_liked_today',
  'outside_phase',
  'entry_limit_reached',
  'audio_rejected',
  'not_a_finalist',
  'results_published',
  'internal',
] as const
export const ProblemCode = z.enum(problemCodes)
export type ProblemCode = z.infer<typeof ProblemCode>

export const FieldError = z.object({
  /** JSON Pointer (RFC 6901) to the offending member of the request body or query. */
  pointer: z.string(),
  detail: z.string(),
})
export type FieldError = z.infer<typeof FieldError>

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: ProblemCode,
  errors: z.array(FieldError).optional(),
  retryAfterSeconds: z.number().int().optional(),
})
export type Problem = z.infer<typeof Problem>

export const problemTypeUri = (code: ProblemCode): string => `urn:shulin:problem:${code.replace(/_/g, '-')}`

/** JSON Pointer for a zod issue path. */
export function toPointer(path: ReadonlyArray<PropertyKey>): string {
  return '/' + path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')
}
