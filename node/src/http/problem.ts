/**
 * @module http/problem
 * One error type for every failure a client should see, turned into an RFC 9457
 * `application/problem+json` response in one place ({@link problemResponse}).
 */
import type { Context } from 'hono'
import {
  pickLocale,
  problemTitle,
  problemTypeUri,
  type FieldError,
  type Locale,
  type Problem,
  type ProblemCode,
} from '@shulin/protocol'

export const problemStatus: Record<ProblemCode, number> = {
  validation_failed: 400,
  malformed_json: 400,
  sparql_malformed: 400,
  sparql_update_refused: 400,
  sparql_time_limit: 400,
  sparql_result_limit: 400,
  sparql_not_acceptable: 406,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  method_not_allowed: 405,
  phone_taken: 409,
  id_number_taken: 409,
  username_taken: 409,
  card_taken: 409,
  identifier_taken: 409,
  precondition_failed: 412,
  precondition_required: 428,
  conflict: 409,
  range_not_satisfiable: 416,
  not_acceptable: 406,
  file_rejected: 422,
  join_refused: 409,
  peer_unreachable: 502,
  sign_in_refused: 403,
  home_unknown: 404,
  misdirected_request: 421,
  invalid_credentials: 401,
  too_many_attempts: 429,
  account_disabled: 403,
  ils_unavailable: 503,
  patron_blocked: 403,
  invalid_code: 400,
  invalid_setup_token: 400,
  setup_done: 409,
  signup_closed: 409,
  already_signed_up: 409,
  not_signed_up: 404,
  check_in_invalid: 400,
  check_in_expired: 409,
  check_in_wrong_activity: 409,
  check_in_cancelled: 409,
  already_checked_in: 409,
  shutting_down: 503,
  content_fetching: 503,
  content_unavailable: 503,
  insufficient_storage: 507,
  low_disk_space: 507,
  not_ready: 503,
  already_liked_today: 409,
  outside_phase: 409,
  entry_limit_reached: 409,
  audio_rejected: 422,
  not_a_finalist: 409,
  results_published: 409,
  internal: 500,
}

/**
 * Thrown anywhere in a request; the error handler answers with the problem in the reader's language.
 * @example throw new ProblemError('phone_taken', { errors: [{ pointer: '/phone', detail: 'phone_taken' }] })
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError'
  readonly status: number
  constructor(
    readonly code: ProblemCode,
    readonly extra: {
      detail?: string
      /** Field errors; `detail` of each is a message key or text, localised when rendered. */
      errors?: FieldError[]
      retryAfterSeconds?: number
      /** Headers the answer must carry (Content-Range on a 416, WWW-Authenticate on a 401). */
      headers?: Record<string, string>
    } = {},
  ) {
    super(code)
    this.status = problemStatus[code]
  }
}

export function localeOf(c: Context): Locale {
  return pickLocale(c.req.header('accept-language'))
}

/** Renders a problem. `localize` turns field-error keys into text. */
export function problemResponse(
  c: Context,
  err: ProblemError,
  localize: (key: string, locale: Locale) => string,
): Response {
  const locale = localeOf(c)
  const body: Problem = {
    type: problemTypeUri(err.code),
    title: problemTitle(err.code, locale),
    status: err.status,
    code: err.code,
    ...(err.extra.detail ? { detail: err.extra.detail } : {}),
    ...(err.extra.errors
      ? { errors: err.extra.errors.map((e) => ({ pointer: e.pointer, detail: localize(e.detail, locale) })) }
      : {}),
    ...(err.extra.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.extra.retryAfterSeconds } : {}),
  }
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-language': locale,
    'cache-control': 'no-store',
  }
  if (err.extra.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.extra.retryAfterSeconds)
  Object.assign(headers, err.extra.headers)
  return new Response(JSON.stringify(body), { status: err.status, headers })
}
