/**
 * @module replicator
 * Named Yjs documents kept in step between peers with the y-protocols sync exchange over
 * libp2p streams (`/shulin/sync/1.0.0`): each side sends its state vector (step 1), answers the
 * other's with what it lacks (step 2), then pushes every update live while the stream lasts.
 * Updates are persisted through a {@link DocStore} (an update log the node compacts), so a
 * restarted node catches up from whoever it reaches. Per-document rules say who may read and
 * who may write; an update from a peer that may not write is dropped, not applied.
 *
 * Wire (`@shulin/protocol`'s `wire/sync`): a length-prefixed JSON header `{"doc": name}`, then
 * length-prefixed y-protocols sync messages of at most 8 MiB. Anything malformed closes the
 * stream; the node carries on.
 *
 * @example
 * ```ts
 * const r = new Replicator(host, store, { canRead: () => true, canWrite: () => true })
 * await r.start()
 * const doc = await r.open('channels/hub')
 * await r.sync('channels/hub', ['/ip4/10.0.0.1/tcp/8091/p2p/12D3KooW…'])
 * ```
 */
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { SYNC_PROTOCOL, decodeSyncHeader, docName, encodeSyncHeader, syncLimits } from '@shulin/protocol'
import type { Host } from '../host/host.js'

const { maxFrame } = syncLimits

/** Where a document's updates live: an append-only log, compacted now and then. */
export interface DocStore {
  load(name: string): Promise<Uint8Array[]>
  append(name: string, update: Uint8Array): Promise<void>
  /** Replaces the whole log with one merged update. */
  compact(name: string, merged: Uint8Array): Promise<void>
}

export interface DocRules {
  canRead(doc: string, peer: string): boolean
  canWrite(doc: string, peer: string): boolean
}

export interface ReplicatorOptions {
  /** Compact a document's log after this many appended updates. */
  compactEvery?: number
  log?: (msg: string, detail?: unknown) => void
}

interface Session {
  lp: LengthPrefixedStream<Stream>
  stream: Stream
  peer: string
}

interface OpenDoc {
  doc: Y.Doc
  sessions: Set<Session>
  appended: number
}

/** An in-memory store (tests, and documents nobody needs to keep). */
export class MemoryDocStore implements DocStore {
  readonly logs = new Map<string, Uint8Array[]>()
  async load(name: string) {
    return [...(this.logs.get(name) ?? [])]
  }
  async append(name: string, update: Uint8Array) {
    this.logs.set(name, [...(this.logs.get(name) ?? []), update])
  }
  async compact(name: string, merged: Uint8Array) {
    this.logs.set(name, [merged])
  }
}

/** A peer sent something that is not a sync message of this protocol; its stream is closed. */
export class SyncError extends Error {
  override readonly name = 'SyncError'
}

export class Replicator {
  readonly #docs = new Map<string, Promise<OpenDoc>>()
  readonly #compactEvery: number
  readonly #log: (msg: string, detail?: unknown) => void

  constructor(
    private readonly host: Host,
    private readonly store: DocStore,
    private readonly rules: DocRules,
    opts: ReplicatorOptions = {},
  ) {
    this.#compactEvery = opts.compactEvery ?? 200
    this.#log = opts.log ?? (() => {})
  }

  async start(): Promise<void> {
    await this.host.handle(
      SYNC_PROTOCOL,
      (stream, connection) => this.#accept(stream, connection.remotePeer.toString()),
      { maxInboundStreams: syncLimits.maxInboundStreams },
    )
  }

  /** The document (loaded from the store the first time), kept in memory until {@link close}. */
  open(name: string): Promise<Y.Doc> {
    if (!docName.test(name)) return Promise.reject(new Error(`bad document name ${JSON.stringify(name)}`))
    let entry = this.#docs.get(name)
    if (!entry) {
      entry = this.#load(name)
      this.#docs.set(name, entry)
    }
    return entry.then((e) => e.doc)
  }

  async #load(name: string): Promise<OpenDoc> {
    const doc = new Y.Doc()
    const updates = await this.store.load(name)
    if (updates.length) Y.applyUpdate(doc, Y.mergeUpdates(updates), 'store')
    const open: OpenDoc = { doc, sessions: new Set(), appended: updates.length }
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'store') void this.#persist(name, open, update)
      for (const s of open.sessions) {
        if (s === origin || !this.rules.canRead(name, s.peer)) continue
        const enc = encoding.createEncoder()
        syncProtocol.writeUpdate(enc, update)
        this.#send(s, encoding.toUint8Array(enc))
      }
    })
    return open
  }

  async #persist(name: string, open: OpenDoc, update: Uint8Array): Promise<void> {
    try {
      await this.store.append(name, update)
      if (++open.appended >= this.#compactEvery) {
        open.appended = 1
        await this.store.compact(name, Y.encodeStateAsUpdate(open.doc))
      }
    } catch (err) {
      this.#log('could not persist an update', err)
    }
  }

  #send(s: Session, frame: Uint8Array): void {
    s.lp.write(frame).catch((err: unknown) => this.#end(s, err))
  }

  #end(s: Session, err?: unknown): void {
    for (const [, p] of this.#docs) void p.then((o) => o.sessions.delete(s))
    if (err) {
      this.#log('sync stream closed', err instanceof Error ? err.message : err)
      s.stream.abort(err instanceof Error ? err : new Error(String(err)))
    } else {
      // The peer ended its side: end ours too. Left open, the stream stayed half-closed for the
      // connection's life and kept one of its 64 inbound sync streams (found by fuzzing: a peer
      // that sends a good header and closes never saw the stream end).
      s.stream.close().catch(() => s.stream.abort(new Error('closing')))
    }
  }

  /** Inbound: read the header, check the rules, then run the exchange. */
  async #accept(stream: Stream, peer: string): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: maxFrame, maxBufferSize: 2 * maxFrame })
    let name: string
    try {
      const header = decodeSyncHeader(
        (await lp.read({ signal: AbortSignal.timeout(syncLimits.headerTimeoutMs) })).subarray(),
      )
      if (!header) throw new Error('bad header')
      name = header.doc
    } catch (err) {
      this.#log('refused a sync stream with a bad header', (err as Error).message)
      stream.abort(new Error('bad header'))
      return
    }
    if (!this.rules.canRead(name, peer) && !this.rules.canWrite(name, peer)) {
      this.#log('refused a sync stream', { doc: name, peer })
      stream.abort(new Error('not allowed'))
      return
    }
    await this.#run(name, { lp, stream, peer })
  }

  /**
   * Outbound: opens one stream to the first reachable address and keeps it until either side
   * closes; resolves once the first exchange is done (both sides have what the other had).
   */
  async sync(name: string, addrs: string[], opts: { signal?: AbortSignal } = {}): Promise<void> {
    let lastError: unknown
    for (const addr of addrs) {
      try {
        const stream = await this.host.dialProtocol(
          multiaddr(addr),
          SYNC_PROTOCOL,
          opts.signal ? { signal: opts.signal } : {},
        )
        const lp = lpStream(stream, { maxDataLength: maxFrame, maxBufferSize: 2 * maxFrame })
        await lp.write(encodeSyncHeader({ doc: name }))
        const peer =
          multiaddr(addr)
            .getComponents()
            .find((c) => c.name === 'p2p')?.value ?? ''
        let synced!: () => void
        const done = new Promise<void>((r) => (synced = r))
        void this.#run(name, { lp, stream, peer }, synced)
        await Promise.race([
          done,
          new Promise((_, rej) => setTimeout(() => rej(new Error('sync timed out')), syncLimits.firstSyncMs)),
        ])
        return
      } catch (err) {
        lastError = err
      }
    }
    throw new Error(`could not sync ${name}: ${(lastError as Error | undefined)?.message ?? 'no address'}`)
  }

  async #run(name: string, s: Session, onSynced?: () => void): Promise<void> {
    await this.open(name)
    const open = await this.#docs.get(name)!
    open.sessions.add(s)
    const step1 = encoding.createEncoder()
    syncProtocol.writeSyncStep1(step1, open.doc)
    this.#send(s, encoding.toUint8Array(step1))
    try {
      for (;;) {
        const frame = (await s.lp.read()).subarray()
        const decoder = decoding.createDecoder(frame)
        const type = decoding.peekVarUint(decoder)
        if (
          type !== syncProtocol.messageYjsSyncStep1 &&
          type !== syncProtocol.messageYjsSyncStep2 &&
          type !== syncProtocol.messageYjsUpdate
        )
          throw new Error(`unknown sync message ${type}`)
        if (type === syncProtocol.messageYjsSyncStep1 && !this.rules.canRead(name, s.peer)) continue
        if (type !== syncProtocol.messageYjsSyncStep1 && !this.rules.canWrite(name, s.peer)) {
          this.#log('dropped an update from a peer that may not write', { doc: name, peer: s.peer })
          if (type === syncProtocol.messageYjsSyncStep2) onSynced?.()
          continue
        }
        const reply = encoding.createEncoder()
        decoding.readVarUint(decoder)
        if (type === syncProtocol.messageYjsSyncStep1) syncProtocol.readSyncStep1(decoder, reply, open.doc)
        else this.#apply(name, open.doc, decoding.readVarUint8Array(decoder), s)
        if (encoding.length(reply) > 0) this.#send(s, encoding.toUint8Array(reply))
        if (type === syncProtocol.messageYjsSyncStep2) onSynced?.()
      }
    } catch (err) {
      const ended = (err as Error).name === 'UnexpectedEOFError' || /closed|reset|EOF/i.test((err as Error).message)
      this.#end(s, ended ? undefined : err)
    }
  }

  /**
   * Applies a peer's update whole or not at all. Yjs integrates an update's structs before it
   * reads the delete set after them, so an update cut in its delete set threw *after* changing
   * the document — and the change was persisted and relayed (found by fuzzing); decoding it
   * first refuses it before anything moves. Structs whose dependencies this node lacks (a
   * future clock, an unknown origin, a delete of an unknown item) Yjs keeps in memory until the
   * dependencies come, which from a hostile peer is never; a peer that follows the protocol never
   * needs them kept, as its step 2 carries all it had, so they are dropped.
   */
  #apply(name: string, doc: Y.Doc, update: Uint8Array, s: Session): void {
    try {
      Y.decodeUpdate(update)
    } catch (err) {
      throw new SyncError(`malformed update for ${name}: ${(err as Error).message}`)
    }
    Y.applyUpdate(doc, update, s)
    if (doc.store.pendingStructs || doc.store.pendingDs) {
      doc.store.pendingStructs = null
      doc.store.pendingDs = null
      this.#log('dropped an update with missing dependencies', { doc: name, peer: s.peer })
    }
  }

  /** Stops every session of every document. */
  async close(): Promise<void> {
    for (const [, p] of this.#docs) {
      const o = await p
      for (const s of o.sessions) await s.stream.close().catch(() => s.stream.abort(new Error('closing')))
      o.doc.destroy()
    }
    this.#docs.clear()
  }
}
