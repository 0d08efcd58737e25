/**
 * @module http/env
 * What the middleware puts on a request's context for the handlers.
 */
import type { AccountRecord } from '../accounts/store.js'
import type { SessionRecord } from '../sessions/store.js'

export interface RequestAuth {
  account: AccountRecord
  session: SessionRecord
  /** The session's id (hash of its token). */
  sessionId: string
  /** `basic`: HTTP Basic credentials from a reading app (OPDS, content; GET only, no session kept). */
  via: 'cookie' | 'bearer' | 'basic'
}

export interface AppEnv {
  Variables: {
    auth: RequestAuth | null
    clientAddress: string
    /** The problem a request was answered with, for its log line (set by the error handler). */
    problem: { code: string; detail?: string }
  }
}
