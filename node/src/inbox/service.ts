/**
 * @module inbox/service
 * A reader's inbox: notices the node posts to one reader, listed newest first, marked read.
 * Owns the sublevel `inbox`: `account!<seq>` → notice, where `<seq>` is a time-ordered id, so a
 * reader's notices are one key range in order; and `inbox-keys`: `account!dedupe` → seq, so a
 * notice posted twice for the same thing (a replayed change, a restart) is stored once.
 *
 * {@link InboxService.post} is the one way in and stays narrow — a reader, a kind, words and a
 * portal link — so the channels other issues add (WeChat, SMS, e-mail) can follow it without
 * knowing who posted.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { InboxList, MarkReadRequest, Notice, NoticeKind } from '@shulin/protocol'
import { putOp, delOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'

/** Notices kept per reader: older ones are dropped when a new one comes. */
export const maxNoticesPerReader = 500

export interface NoticeInput {
  kind: NoticeKind
  title: string
  body?: string
  /** A portal path (`/lectures/:id`). */
  link: string
  /** Posting again with the same key does nothing (one notice per lecture). */
  dedupe?: string
}

const key = (account: string, rest: string) => `${account}!${rest}`

export class InboxService {
  readonly #notices: Sublevel<Notice>
  readonly #keys: Sublevel<string>
  /** Posts and marks never interleave (counts and pruning read, then write). */
  readonly #mutex = new Mutex()
  readonly #listeners = new Set<(accountId: string, notice: Notice) => void>()
  #lastKeyTime = 0

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
  ) {
    this.#notices = storage.sublevel('inbox')
    this.#keys = storage.sublevel('inbox-keys')
  }

  /** Told of each new notice (delivery channels hook here). */
  onNotice(listener: (accountId: string, notice: Notice) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Puts a notice in a reader's inbox; undefined when one with the same `dedupe` is already there. */
  async post(accountId: string, input: NoticeInput): Promise<Notice | undefined> {
    const notice = await this.#mutex.run(async () => {
      const dedupe = input.dedupe && createHash('sha256').update(input.dedupe).digest('base64url').slice(0, 22)
      if (dedupe && (await this.#keys.get(key(accountId, dedupe))) !== undefined) return undefined
      const t = this.now()
      // Time first (base36, fixed width) so keys sort by posting order; random after, unique. The
      // time part never repeats or goes back within a process (two notices in one millisecond, or
      // a clock set back), so a reader's newest notice is always listed first.
      this.#lastKeyTime = Math.max(t, this.#lastKeyTime + 1)
      const id = `${this.#lastKeyTime.toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`
      const notice: Notice = {
        id,
        kind: input.kind,
        title: input.title,
        ...(input.body !== undefined && { body: input.body }),
        link: input.link,
        createdAt: new Date(t).toISOString(),
        readAt: null,
      }
      const ops: BatchOp[] = [putOp(this.#notices, key(accountId, id), notice)]
      if (dedupe) ops.push(putOp(this.#keys, key(accountId, dedupe), id))
      const old = await this.#notices.keys({ gt: key(accountId, ''), lt: key(accountId, '\uffff') }).all()
      for (const k of old.slice(0, Math.max(0, old.length + 1 - maxNoticesPerReader))) ops.push(delOp(this.#notices, k))
      await this.storage.commit(ops, { sync: true })
      return notice
    })
    if (notice) for (const l of this.#listeners) l(accountId, notice)
    return notice
  }

  async list(accountId: string, opts: { limit: number; before?: string | undefined }): Promise<InboxList> {
    const notices = await this.#notices
      .values({
        gt: key(accountId, ''),
        lt: key(accountId, opts.before ?? '\uffff'),
        reverse: true,
        limit: opts.limit + 1,
      })
      .all()
    const page = notices.slice(0, opts.limit)
    return {
      items: page,
      unread: await this.unread(accountId),
      nextBefore: notices.length > opts.limit ? page.at(-1)!.id : null,
    }
  }

  async unread(accountId: string): Promise<number> {
    let n = 0
    for await (const v of this.#notices.values({ gt: key(accountId, ''), lt: key(accountId, '\uffff') }))
      if (!v.readAt) n++
    return n
  }

  /** Marks the given notices (a reader's own; others' ids are not found under their key) or all read. */
  async markRead(accountId: string, req: MarkReadRequest): Promise<number> {
    await this.#mutex.run(async () => {
      const readAt = new Date(this.now()).toISOString()
      const entries =
        'all' in req
          ? await this.#notices.iterator({ gt: key(accountId, ''), lt: key(accountId, '\uffff') }).all()
          : (await this.#notices.getMany(req.ids.map((id) => key(accountId, id)))).flatMap((v, i) =>
              v ? [[key(accountId, req.ids[i]!), v] as [string, Notice]] : [],
            )
      const ops = entries.filter(([, v]) => !v.readAt).map(([k, v]) => putOp(this.#notices, k, { ...v, readAt }))
      if (ops.length) await this.storage.commit(ops, { sync: true })
    })
    return this.unread(accountId)
  }
}
