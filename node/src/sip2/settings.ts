/**
 * @module sip2/settings
 * The SIP2 setting staff save in the console: the same `sip2://` URL as `SHULIN_SIP2_URL`,
 * kept sealed (it carries the ILS login's password; AES-256-GCM under a key derived from the
 * node's key for this use only) and shown back with the password masked. A URL saved in the
 * console wins over the environment's; clearing it returns to the environment's.
 *
 * Owns `sip2-settings`: `current` → {@link StoredSip2Settings}.
 */
import type { NodeKey } from '@shulin/federation/identity'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { SecretBox } from '../sms/settings.js'
import { parseSip2Url, type Sip2Settings } from './url.js'

interface StoredSip2Settings {
  sealedUrl: string
  savedAt: string
}

/** What the console is shown. */
export interface Sip2SettingsView {
  source: 'console' | 'environment' | 'none'
  /** The URL in use, its password replaced by `****`. */
  url: string | null
}

export function maskSip2Url(text: string): string {
  const url = new URL(text)
  if (url.password) url.password = '****'
  return url.toString()
}

export class Sip2SettingsStore {
  readonly #db: Sublevel<StoredSip2Settings>
  readonly #box: SecretBox

  constructor(
    private readonly storage: Storage,
    key: NodeKey,
  ) {
    this.#db = storage.sublevel<StoredSip2Settings>('sip2-settings')
    this.#box = new SecretBox(key, 'shulin-sip2-secret-v1')
  }

  /** The URL saved in the console, if any. */
  async savedUrl(): Promise<string | undefined> {
    const s = await this.#db.get('current')
    return s ? this.#box.open(s.sealedUrl) : undefined
  }

  /** Saves a URL (already checked) or, with `null`, forgets the console's. */
  async save(url: string | null, now: Date): Promise<void> {
    const op = url
      ? putOp(this.#db, 'current', { sealedUrl: this.#box.seal(url), savedAt: now.toISOString() })
      : delOp(this.#db, 'current')
    await this.storage.commit([op], { sync: true })
  }
}

/** Settings from a checked URL; `undefined` for none. */
export function settingsOf(url: string | undefined): Sip2Settings | undefined {
  if (!url) return undefined
  const r = parseSip2Url(url)
  return r.ok ? r.value : undefined
}
