/**
 * @module sip2/sign-in
 * The library's ILS as the accounts module sees it ({@link IlsPatrons}): card and PIN asked of
 * the ILS over SIP2, and an ILS that cannot answer turned into `ils_unavailable` (503) — the
 * reader's sign-in fails, the node does not.
 */
import type { IlsPatron, IlsPatrons } from '../accounts/service.js'
import { ProblemError } from '../http/problem.js'
import type { Logger } from '../logger.js'
import { Sip2Client, Sip2Unavailable, type Sip2ClientOptions } from './client.js'
import type { Sip2Settings } from './url.js'

export class Sip2SignIn implements IlsPatrons {
  #client: Sip2Client | undefined

  constructor(
    settings: Sip2Settings | undefined,
    private readonly opts: Omit<Sip2ClientOptions, 'settings'> & { logger?: Logger | undefined } = {},
  ) {
    this.configure(settings)
  }

  /** Points sign-in at another ILS (or none); connections to the old one are closed. */
  configure(settings: Sip2Settings | undefined): void {
    this.#client?.close()
    const { logger: _logger, ...client } = this.opts
    this.#client = settings ? new Sip2Client({ ...client, settings }) : undefined
  }

  active(): boolean {
    return this.#client !== undefined
  }

  async check(card: string, pin: string): Promise<IlsPatron> {
    if (!this.#client) throw new ProblemError('ils_unavailable', { detail: 'SIP2 is not configured' })
    try {
      return await this.#client.patron(card, pin)
    } catch (err) {
      if (!(err instanceof Sip2Unavailable)) throw err
      // The reason goes to the log for staff; readers get the localised title only.
      this.opts.logger?.warn({ err: err.message }, 'the ILS did not answer a SIP2 sign-in')
      throw new ProblemError('ils_unavailable')
    }
  }

  close(): void {
    this.#client?.close()
    this.#client = undefined
  }
}
