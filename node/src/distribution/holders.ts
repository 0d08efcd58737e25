/**
 * @module distribution/holders
 * The hub's provider records: which member holds which channel file, as the members say
 * (`/shulin/holders/1.0.0`). A fetcher asks the hub first and asks those members first, instead
 * of whichever members come first in the registry (a network has hundreds; a fetch asks twelve).
 *
 * Owns the sublevels `content-holders`: `<sha256>!<node id>` → when that member last said it held
 * the file (ms since the epoch), and `content-holders-by-member`: the same records keyed
 * `<node id>!<sha256>`, so that a member's records can be counted and its oldest dropped. A
 * record not renewed for {@link holdersLimits.maxAgeMs} is not given out; members renew theirs
 * daily. Nothing about readers is kept.
 *
 * A member may claim any hashes, 1000 a message: without a cap per member one member could grow
 * the hub's storage without bound. The hub keeps at most {@link maxFilesPerMember} records per
 * member, forgetting the ones it renewed least recently (a member holds the files of the
 * channels it subscribes to: far fewer than that on any real library).
 */
import { holdersLimits } from '@shulin/protocol'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'

/** Files the hub remembers per member. */
export const maxFilesPerMember = 20_000

export class HolderIndex {
  readonly #records: Sublevel<number>
  readonly #byMember: Sublevel<number>
  /** have() calls run one after another: each counts a member's records before writing. */
  #chain: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
    private readonly cap: number = maxFilesPerMember,
  ) {
    this.#records = storage.sublevel('content-holders')
    this.#byMember = storage.sublevel('content-holders-by-member')
  }

  /** `member` holds `files` (now). */
  have(member: string, files: string[]): Promise<void> {
    const run = this.#chain.then(() => this.#have(member, files))
    this.#chain = run.catch(() => {})
    return run
  }

  async #have(member: string, files: string[]): Promise<void> {
    const at = this.now()
    // More than the cap in one message: the last ones named are kept.
    const named = [...new Set(files)].slice(-this.cap)
    const fresh = new Set(named)
    const ops: BatchOp[] = named.flatMap((f) => [
      putOp(this.#records, `${f}!${member}`, at),
      putOp(this.#byMember, `${member}!${f}`, at),
    ])
    const held: Array<[file: string, at: number]> = []
    for await (const [key, when] of this.#byMember.iterator({ gt: `${member}!`, lt: `${member}!\uffff` })) {
      const f = key.slice(member.length + 1)
      if (!fresh.has(f)) held.push([f, when])
    }
    const over = held.length + named.length - this.cap
    if (over > 0) {
      // The least recently renewed go first.
      held.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
      for (const [f] of held.slice(0, over))
        ops.push(delOp(this.#records, `${f}!${member}`), delOp(this.#byMember, `${member}!${f}`))
    }
    await this.storage.commit(ops, { sync: false })
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
