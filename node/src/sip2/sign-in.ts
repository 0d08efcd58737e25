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
import { maskSip2Url, settingsOf, type Sip2SettingsStore, type Sip2SettingsView } from './settings.js'
import type { Sip2Settings } from './url.js'

export interface Sip2SignInOptions extends Omit<Sip2ClientOptions, 'settings'> {
  /** `SHULIN_SIP2_URL`, as text (the console shows it masked). */
  envUrl?: string | undefined
  /** The console's saved URL; without it only the environment's is used. */
  store?: Sip2SettingsStore | undefined
  logger?: Logger | undefined
}

export class Sip2SignIn implements IlsPatrons {
  #client: Sip2Client | undefined
  #url: string | undefined
  #source: Sip2SettingsView['source'] = 'none'

  constructor(private readonly opts: Sip2SignInOptions = {}) {
    this.#use(opts.envUrl, opts.envUrl ? 'environment' : 'none')
  }

  /** Reads the console's saved URL, which wins over the environment's. */
  async init(): Promise<void> {
    const saved = await this.opts.store?.savedUrl()
    if (saved) this.#use(saved, 'console')
  }

  /** Saves (or with `null` clears) the console's URL and signs in against it from now on. */
  async save(url: string | null, now = new Date()): Promise<Sip2SettingsView> {
    if (!this.opts.store) throw new Error('no settings store')
    await this.opts.store.save(url, now)
    if (url) this.#use(url, 'console')
    else this.#use(this.opts.envUrl, this.opts.envUrl ? 'environment' : 'none')
    return this.view()
  }

  view(): Sip2SettingsView {
    return { source: this.#source, url: this.#url ? maskSip2Url(this.#url) : null }
  }

  /** Opens a connection and logs in: the console's "test" button. */
  async test(): Promise<void> {
    if (!this.#client) throw new ProblemError('ils_unavailable', { detail: 'SIP2 is not configured' })
    try {
      await this.#client.login()
    } catch (err) {
      if (!(err instanceof Sip2Unavailable)) throw err
      throw new ProblemError('ils_unavailable', { detail: err.message })
    }
  }

  #use(url: string | undefined, source: Sip2SettingsView['source']): void {
    this.#configure(settingsOf(url))
    this.#url = url
    this.#source = source
  }

  /** Points sign-in at another ILS (or none); connections to the old one are closed. */
  #configure(settings: Sip2Settings | undefined): void {
    this.#client?.close()
    const { logger: _logger, envUrl: _envUrl, store: _store, ...client } = this.opts
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
