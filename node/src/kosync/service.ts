/**
 * @module kosync/service
 * KOReader progress sync for the node's readers. A reader makes a sync key on their page
 * (shown once); KOReader sends the MD5 of it, and the node keeps only a SHA-256 of that MD5,
 * so neither the key nor what KOReader sends can be read back from the database. Progress a
 * device sends for one of the node's EPUB or PDF files also moves the web reader's progress
 * (newest wins, as between any two devices); progress for documents the node does not hold
 * is kept for the reader's other KOReader devices, as any kosync server does.
 *
 * Owns the sublevels:
 * - `kosync-users`: username → account, hash of MD5(key)
 * - `kosync-accounts`: account → username
 * - `kosync-blobs`: blob SHA-256 → KOReader binary id (computed once per file)
 * - `kosync-documents`: KOReader document id → resource and kind
 * - `kosync-progress`: `account!document` → what a device last sent
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Resource } from '@shulin/protocol'
import type { AccountRecord } from '../accounts/store.js'
import type { BlobStore } from '../blobs/store.js'
import type { ResourceRecords } from '../resources/store.js'
import type { ReadingService } from '../reading/service.js'
import { delOp, putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'
import { koreaderBinaryId, koreaderFilenameId } from './document-id.js'
import { fromKoreader, toKoreader, type DocumentKind } from './position.js'

interface KosyncUser {
  accountId: string
  /** SHA-256 (hex) of the MD5 (hex) of the key. */
  keyHash: string
  createdAt: string
}

interface DocumentRef {
  resourceId: string
  kind: DocumentKind
}

/** What a KOReader device sent, as the kosync API answers it. */
export interface KosyncProgress {
  document: string
  progress: string
  percentage: number
  device: string
  device_id: string
  /** Seconds since the epoch, as the kosync server keeps it. */
  timestamp: number
}

/** Progress kept per reader: a library's reader has fewer books than this; a runaway device does not fill the disk. */
export const maxDocumentsPerReader = 10_000
const kinds: Record<string, DocumentKind> = { 'application/epub+zip': 'epub', 'application/pdf': 'pdf' }
const sha256 = (s: string) => createHash('sha256').update(s).digest()
const md5 = (s: string) => createHash('md5').update(s).digest('hex')
/** Easy to type on an e-ink keyboard: lowercase letters and digits, no look-alikes. */
const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789'
const randomText = (length: number) => Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('')

export class KosyncService {
  readonly #users: Sublevel<KosyncUser>
  readonly #accounts: Sublevel<string>
  readonly #blobIds: Sublevel<string>
  readonly #documents: Sublevel<DocumentRef>
  readonly #progress: Sublevel<KosyncProgress>
  readonly #mutex = new Mutex()
  /** Indexing runs one record at a time, behind whatever is already queued. */
  #indexing: Promise<void> = Promise.resolve()
  #unwatch = () => {}
  #stopped = false

  constructor(
    private readonly storage: Storage,
    private readonly deps: {
      reading: ReadingService
      records: ResourceRecords
      blobs: BlobStore
      account: (id: string) => Promise<AccountRecord | undefined>
      now?: () => number
      /** Documents kept per reader (default {@link maxDocumentsPerReader}). */
      maxDocuments?: number
    },
  ) {
    this.#users = storage.sublevel('kosync-users')
    this.#accounts = storage.sublevel('kosync-accounts')
    this.#blobIds = storage.sublevel('kosync-blobs')
    this.#documents = storage.sublevel('kosync-documents')
    this.#progress = storage.sublevel('kosync-progress')
  }

  get #maxDocuments(): number {
    return this.deps.maxDocuments ?? maxDocumentsPerReader
  }

  #now(): number {
    return (this.deps.now ?? Date.now)()
  }

  /**
   * A new sync key for the reader, replacing any earlier one (which stops working at once).
   * The username stays the same across keys, so KOReader needs only the new key.
   * @returns the key, which the node never shows again.
   */
  async createKey(account: AccountRecord): Promise<{ username: string; key: string }> {
    return this.#mutex.run(async () => {
      const username = (await this.#accounts.get(account.id)) ?? (await this.#freeUsername(account))
      const key = randomText(16)
      const user: KosyncUser = {
        accountId: account.id,
        keyHash: sha256(md5(key)).toString('hex'),
        createdAt: new Date(this.#now()).toISOString(),
      }
      await this.storage.commit([putOp(this.#users, username, user), putOp(this.#accounts, account.id, username)], {
        sync: true,
      })
      return { username, key }
    })
  }

  /** The reader's sync username and when the current key was made, or `null` when they have none. */
  async keyOf(accountId: string): Promise<{ username: string; createdAt: string } | null> {
    const username = await this.#accounts.get(accountId)
    const user = username ? await this.#users.get(username) : undefined
    return username && user ? { username, createdAt: user.createdAt } : null
  }

  /** Revokes the reader's key: KOReader's next request is refused. */
  async revokeKey(accountId: string): Promise<void> {
    await this.#mutex.run(async () => {
      const username = await this.#accounts.get(accountId)
      if (username)
        await this.storage.commit([delOp(this.#users, username), delOp(this.#accounts, accountId)], { sync: true })
    })
  }

  /** The reader's own username when free, else a random one. */
  async #freeUsername(account: AccountRecord): Promise<string> {
    const own = account.username
    if (own && /^[A-Za-z0-9._@-]{1,64}$/.test(own) && !(await this.#users.get(own))) return own
    for (;;) {
      const name = `r-${randomText(8)}`
      if (!(await this.#users.get(name))) return name
    }
  }

  /** Whether the username exists (KOReader's "register" answers differ). */
  async usernameTaken(username: string): Promise<boolean> {
    return (await this.#users.get(username)) !== undefined
  }

  /** The active account behind KOReader's `x-auth-user` / `x-auth-key`, or `undefined`. */
  async authenticate(username: string, md5Key: string): Promise<AccountRecord | undefined> {
    if (!username || !/^[0-9a-fA-F]{32}$/.test(md5Key)) return undefined
    const user = await this.#users.get(username)
    if (!user) return undefined
    const given = sha256(md5Key.toLowerCase())
    if (!timingSafeEqual(given, Buffer.from(user.keyHash, 'hex'))) return undefined
    const account = await this.deps.account(user.accountId)
    return account?.status === 'active' ? account : undefined
  }

  /** A resource the reader can see, matched by KOReader's document id. */
  async #resourceFor(document: string): Promise<(DocumentRef & { record: Resource }) | undefined> {
    // A file stored a moment ago is being indexed: wait for it rather than miss it.
    await this.#indexing
    const ref = await this.#documents.get(document)
    if (!ref) return undefined
    const record = await this.deps.records.get(ref.resourceId)
    return record?.status === 'published' ? { ...ref, record } : undefined
  }

  /**
   * Keeps what a device sent and, for the node's own documents, moves the web reader's
   * progress too (when the position can be read).
   */
  async update(
    accountId: string,
    sent: Omit<KosyncProgress, 'timestamp'>,
  ): Promise<{ timestamp: number } | 'too_many_documents'> {
    const now = this.#now()
    const timestamp = Math.floor(now / 1000)
    const key = `${accountId}!${sent.document}`
    if (!(await this.#progress.get(key)) && (await this.#documentsOf(accountId)) >= this.#maxDocuments)
      return 'too_many_documents'
    await this.storage.commit([putOp(this.#progress, key, { ...sent, timestamp })], {
      sync: true,
    })
    const doc = await this.#resourceFor(sent.document)
    const position = doc && fromKoreader(doc.kind, sent.progress)
    if (doc && position) {
      await this.deps.reading.setProgress(accountId, doc.resourceId, {
        position,
        percentage: Math.min(1, Math.max(0, sent.percentage)),
        device: sent.device.trim().slice(0, 100) || 'KOReader',
        at: new Date(now).toISOString(),
      })
    }
    return { timestamp }
  }

  /** How many documents the reader's devices have sent progress for (counted up to the cap). */
  async #documentsOf(accountId: string): Promise<number> {
    let n = 0
    for await (const _ of this.#progress.keys({
      gt: `${accountId}!`,
      lt: `${accountId}!\uffff`,
      limit: maxDocumentsPerReader,
    }))
      n++
    return n
  }

  /**
   * The newest progress in a document, from a KOReader device or from the web reader.
   * @returns `undefined` when there is none.
   */
  async progress(accountId: string, document: string): Promise<KosyncProgress | undefined> {
    const sent = await this.#progress.get(`${accountId}!${document}`)
    const doc = await this.#resourceFor(document)
    const web = doc ? (await this.deps.reading.state(accountId, doc.resourceId)).progress : null
    // KOReader's own update also wrote the web progress at the same instant: that is not "newer".
    if (web && (!sent || Date.parse(web.at) >= (sent.timestamp + 1) * 1000)) {
      const progress = toKoreader(web.position)
      if (progress !== undefined) {
        return {
          document,
          progress,
          percentage: web.percentage,
          device: web.device,
          device_id: 'shulin-web',
          timestamp: Math.floor(Date.parse(web.at) / 1000),
        }
      }
    }
    return sent
  }

  /**
   * Follows the catalogue: every stored or changed record is indexed, and records from before
   * (or from while the node was stopped) are backfilled in the background.
   */
  start(onError: (err: unknown) => void): void {
    this.#unwatch = this.deps.records.onChange((changes) => {
      for (const change of changes) if (change.kind === 'put') this.index(change.resource).catch(onError)
    })
    this.backfill().catch(onError)
  }

  /** Stops following the catalogue; resolves when the indexing under way has finished. */
  async stop(): Promise<void> {
    this.#unwatch()
    this.#stopped = true
    await this.#indexing
  }

  /** Indexes a record's EPUB and PDF files by KOReader's document ids (queued, one at a time). */
  index(record: Resource): Promise<number> {
    const next = this.#indexing.then(() => this.#index(record))
    this.#indexing = next.then(
      () => undefined,
      () => undefined,
    )
    return next
  }

  /** Indexes every record: files stored before this version, or while the node was stopped. */
  async backfill(): Promise<number> {
    let files = 0
    for await (const record of this.deps.records.all()) {
      if (this.#stopped) break
      files += await this.index(record)
    }
    return files
  }

  async #index(record: Resource): Promise<number> {
    if (this.#stopped) return 0
    const ops: BatchOp[] = []
    for (const file of record.files) {
      const kind = file.role === 'content' ? kinds[file.mediaType] : undefined
      if (!kind) continue
      const ref: DocumentRef = { resourceId: record.id, kind }
      let binary = await this.#blobIds.get(file.blob)
      if (!binary) {
        // A subscribed channel's file may not be here yet; it is indexed when the record changes again.
        if (!(await this.deps.blobs.info(file.blob))) continue
        binary = await koreaderBinaryId(this.deps.blobs.pathOf(file.blob))
        ops.push(putOp(this.#blobIds, file.blob, binary))
      }
      ops.push(putOp(this.#documents, binary, ref))
      // KOReader's filename matching: the uploader's name, and the name a download is saved under.
      for (const name of new Set([file.name, `${record.metadata.title}.${kind}`]))
        if (name) ops.push(putOp(this.#documents, koreaderFilenameId(name), ref))
    }
    if (ops.length) await this.storage.commit(ops, { sync: false })
    return ops.length ? 1 : 0
  }
}
