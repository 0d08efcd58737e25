/**
 * @module library/profile
 * The library's name, logo, contact and public URL, edited in the staff console and stored in
 * the node's own sublevel (`library-profile`), read by everything that names the library.
 *
 * Which wins: a value saved in the console wins over the start flag (`--name`,
 * `--public-url`); the flag is the value until someone saves one, and again after the field is
 * cleared. The console is where the library's staff change these; the start command (a systemd
 * unit, a compose file) is often written once by someone else, and a restart must not quietly
 * undo what the staff saved.
 *
 * Reads are synchronous ({@link LibraryProfileService.current}): the profile is loaded once at
 * start and replaced whole on each save, so a request reads one consistent profile without I/O.
 */
import type { LibraryProfile, LibraryProfileSettings, LibraryProfileUpdate, LibraryTheme } from '@shulin/protocol'
import type { StoredLogo } from './logo.js'
import { ProblemError } from '../http/problem.js'
import type { Storage, Sublevel } from '../storage/db.js'
import { getOrUndefined, putOp } from '../storage/db.js'

interface Stored {
  name?: string
  logoUrl?: string
  contact?: string
  publicUrl?: string
  theme?: LibraryTheme
  networkName?: string
  /** An uploaded logo (its blob and icons); `logoUrl` points at it while it is the logo. */
  logo?: StoredLogo
  updatedAt: string
}

/** Where an uploaded logo is served; `?v=` changes with it, so caches never show the old one. */
export const logoPath = (l: StoredLogo) => `/api/library/logo?v=${l.sha256.slice(0, 12)}`
export const iconPath = (l: StoredLogo, size: string) =>
  `/api/library/icons/${size}.png?v=${l.icons[size]?.slice(0, 12)}`

export interface LibraryProfileOptions {
  storage: Storage
  /** The start flags: the values until the console saves others. */
  flags: { name: string; publicUrl?: string | undefined }
  /** The hub's portal is the network's: it shows the network's name. */
  role?: 'hub' | 'node'
  now?: () => number
}

export class LibraryProfileService {
  readonly #store: Sublevel<Stored>
  #saved: Stored | undefined
  #current: LibraryProfile
  readonly #listeners: Array<(p: LibraryProfile) => void> = []

  constructor(private readonly opts: LibraryProfileOptions) {
    this.#store = opts.storage.sublevel<Stored>('library-profile')
    this.#current = this.#effective(undefined)
  }

  /** Reads what the console saved (before the HTTP server answers). */
  async load(): Promise<void> {
    this.#saved = await getOrUndefined(this.#store, 'profile')
    this.#current = this.#effective(this.#saved)
  }

  #effective(saved: Stored | undefined): LibraryProfile {
    return {
      name: saved?.name ?? this.opts.flags.name,
      logoUrl: saved?.logoUrl ?? null,
      contact: saved?.contact ?? null,
      publicUrl: (saved?.publicUrl ?? this.opts.flags.publicUrl ?? null)?.replace(/\/+$/, '') ?? null,
      theme: saved?.theme ?? null,
      network: this.opts.role === 'hub' ? (saved?.networkName ?? null) : null,
    }
  }

  current(): LibraryProfile {
    return this.#current
  }

  /** Called with the new profile after each save (the origins, the manifest). */
  onChange(listener: (p: LibraryProfile) => void): void {
    this.#listeners.push(listener)
  }

  /** The uploaded logo, while it is the one shown (its icons make the manifest's). */
  logo(): StoredLogo | undefined {
    const l = this.#saved?.logo
    return l && this.#saved?.logoUrl === logoPath(l) ? l : undefined
  }

  /** Blobs the profile holds (kept by the blob store's garbage collection). */
  referencedBlobs(): string[] {
    const l = this.#saved?.logo
    return l ? [l.sha256, ...Object.values(l.icons)] : []
  }

  settings(): LibraryProfileSettings {
    const { updatedAt, logo: _logo, ...saved } = this.#saved ?? { updatedAt: null }
    return {
      effective: this.#current,
      saved,
      flags: { name: this.opts.flags.name, publicUrl: this.opts.flags.publicUrl ?? null },
      role: this.opts.role ?? 'node',
      updatedAt,
    }
  }

  /** Saves the given fields (null clears one back to its flag), synced: an edit acknowledged is an edit kept. */
  async update(patch: LibraryProfileUpdate): Promise<LibraryProfileSettings> {
    const next: Stored = { ...(this.#saved ?? {}), updatedAt: new Date((this.opts.now ?? Date.now)()).toISOString() }
    if (patch.networkName !== undefined && this.opts.role !== 'hub')
      throw new ProblemError('validation_failed', {
        errors: [{ pointer: '/networkName', detail: 'only the hub names the network' }],
      })
    for (const key of ['name', 'logoUrl', 'contact', 'publicUrl', 'networkName'] as const) {
      const v = patch[key]
      if (v === null) delete next[key]
      else if (v !== undefined) next[key] = v
    }
    if (patch.theme === null) delete next.theme
    else if (patch.theme !== undefined) next.theme = patch.theme
    return this.#save(next)
  }

  /** Makes an uploaded logo (already stored by library/logo) the library's logo. */
  async setLogo(logo: StoredLogo): Promise<LibraryProfileSettings> {
    const now = new Date((this.opts.now ?? Date.now)()).toISOString()
    return this.#save({ ...(this.#saved ?? {}), logo, logoUrl: logoPath(logo), updatedAt: now })
  }

  async #save(next: Stored): Promise<LibraryProfileSettings> {
    await this.opts.storage.commit([putOp(this.#store, 'profile', next)], { sync: true })
    this.#saved = next
    this.#current = this.#effective(next)
    for (const l of this.#listeners) l(this.#current)
    return this.settings()
  }
}
