/**
 * @module distribution/holders
 * The hub's provider records: which member holds which channel file, as the members say
 * (`/shulin/holders/1.0.0`). A fetcher asks the hub first and asks those members first, instead
 * of whichever members come first in the registry (a network has hundreds; a fetch asks twelve).
 *
 * Owns the sublevel `content-holders`: `<sha256>!<node id>` → when that member last said it held
 * the file (ms since the epoch). A record not renewed for {@link holdersLimits.maxAgeMs} is not
 * given out; members renew theirs daily. Nothing about readers is kept.
 */
import { holdersLimits } from '@shulin/protocol'
import { putOp, type Storage, type Sublevel } from '../storage/db.js'

export class HolderIndex {
  readonly #records: Sublevel<number>

  constructor(private readonly storage: Storage, private readonly now: () => number = Date.now) {
    this.#records = storage.sublevel('content-holders')
  }

  /** `member` holds `files` (now). */
  async have(member: string, files: string[]): Promise<void> {
    const at = this.now()
    await this.storage.commit(
      [...new Set(files)].map((f) => putOp(this.#records, `${f}!${member}`, at)),
      { sync: false },
    )
  }

  /** Who holds `sha256`, the most recently renewed first: members `keep` admits, records not too old. */
  async who(sha256: string, keep: (member: string) => boolean): Promise<string[]> {
    const oldest = this.now() - holdersLimits.maxAgeMs
    const found: Array<[string, number]> = []
    for await (const [key, at] of this.#records.iterator({ gt: `${sha256}!`, lt: `${sha256}!\uffff` })) {
      const member = key.slice(sha256.length + 1)
      if (at >= oldest && keep(member)) found.push([member, at])
    }
    return found
      .sort((a, b) => b[1] - a[1])
      .slice(0, holdersLimits.maxHolders)
      .map(([m]) => m)
  }
}
