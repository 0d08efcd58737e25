/**
 * @module federation/errors
 * The one error the network services throw: a refusal or a bad invite, with a typed reason
 * (routes turn it into a problem by that reason, never by its text).
 */
import type { JoinRefusal } from '@shulin/protocol'

/** A refusal or a bad invite, with a reason people can act on. */
export class FederationError extends Error {
  override readonly name = 'FederationError'
  constructor(
    readonly reason: JoinRefusal | 'not_hub' | 'not_running' | 'unreachable' | 'malformed',
    message: string,
  ) {
    super(message)
  }
}
