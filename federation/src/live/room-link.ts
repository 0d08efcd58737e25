/**
 * @module live/room-link
 * Carries `/shulin/live-room/1.0.0` (declared in `@shulin/protocol`, `wire/live`): one long
 * stream per relayed lecture between a member and the hub. The member opens it with a hello
 * naming the lecture; the hub accepts or refuses; then each side writes JSON frames and reads
 * the other's, every frame checked against its schema and the frame size cap. A frame that is
 * not one ends that link only (the other side sees it close, the member then reconnects).
 *
 * @example
 * ```ts
 * await serveLiveRoom(host, async (hello, from, link) => ({ message: (up) => link.send(...), closed() {} }))
 * const link = await openLiveRoom(host, hubAddrs, { live: 'lv1' }, { message: (down) => {}, closed() {} })
 * link.send({ type: 'submit', ref: 'r1', author, msg })
 * ```
 */
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import {
  LIVE_ROOM_PROTOCOL_V1_1,
  LIVE_ROOM_PROTOCOLS,
  decodeRoomDownlink,
  decodeRoomLinkAccept,
  decodeRoomLinkHello,
  decodeRoomUplink,
  encodeRoomLinkMessage,
  liveLimits,
  type LiveRefusal,
  type RoomDownlink,
  type RoomLinkHello,
  type RoomUplink,
} from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { LiveRefused } from './files.js'

/** One side's end of a link: what it writes. */
export interface RoomLinkEnd<Out> {
  send(message: Out): void
  close(): void
  /** The other side's node id. */
  readonly peer: string
  /**
   * The link was negotiated as `/shulin/live-room/1.1.0`: the member may send `delay` frames
   * (a 1.0.0 hub would drop the link on one).
   */
  readonly delayFrames: boolean
}

/** What one side does with what the other writes. */
export interface RoomLinkHandler<In> {
  message(message: In): void
  /** The link ended (either side closed it, the connection dropped, or a frame was garbage). */
  closed(): void
}

type Log = (msg: string, err?: unknown) => void

/**
 * A link's writing end. Frames go out in order, none before `ready` (the hub's accept frame is
 * written first, even when the hub sends the room's history while it accepts).
 */
function end<Out>(
  stream: Stream,
  lp: LengthPrefixedStream<Stream>,
  peer: string,
  log: Log,
  ready: Promise<unknown> = Promise.resolve(),
): RoomLinkEnd<Out> {
  let chain = ready
  return {
    peer,
    delayFrames: stream.protocol === LIVE_ROOM_PROTOCOL_V1_1,
    send(message: Out) {
      const bytes = encodeRoomLinkMessage(message as never)
      chain = chain
        .then(() => lp.write(bytes))
        .catch((err: unknown) => {
          log('room link write failed', err)
          stream.abort(err instanceof Error ? err : new Error(String(err)))
        })
    },
    close() {
      stream.close().catch(() => stream.abort(new Error('closing')))
    },
  }
}

/** Reads frames until the stream ends; a frame that does not decode aborts it. */
async function pump<In>(
  stream: Stream,
  lp: LengthPrefixedStream<Stream>,
  decode: (bytes: Uint8Array) => In | undefined,
  handler: RoomLinkHandler<In>,
  log: Log,
): Promise<void> {
  try {
    for (;;) {
      const message = decode((await lp.read()).subarray())
      if (message === undefined) throw new Error('not a room-link frame')
      handler.message(message)
    }
  } catch (err) {
    const ended = (err as Error).name === 'UnexpectedEOFError' || /closed|reset|EOF|abort/i.test((err as Error).message)
    if (!ended) {
      log('room link ended on a bad frame', (err as Error).message)
      stream.abort(err as Error)
    } else stream.close().catch(() => stream.abort(new Error('closing')))
  } finally {
    handler.closed()
  }
}

/**
 * The hub's side: `accept` gets each hello, the member's node id (proved by Noise) and the
 * link's writing end; it answers with what to do with the member's frames, or a refusal.
 */
export async function serveLiveRoom(
  host: Host,
  accept: (
    hello: RoomLinkHello,
    from: string,
    link: RoomLinkEnd<RoomDownlink>,
  ) => Promise<RoomLinkHandler<RoomUplink> | LiveRefusal>,
  log: Log = () => {},
): Promise<() => Promise<void>> {
  // Both versions: a 1.0.0 member never sends `delay`, the handler is the same.
  await host.handle(
    [...LIVE_ROOM_PROTOCOLS],
    async (stream: Stream, connection) => {
      const peer = connection.remotePeer.toString()
      const lp = lpStream(stream, { maxDataLength: liveLimits.maxRoomFrameBytes })
      let handler: RoomLinkHandler<RoomUplink>
      try {
        const signal = AbortSignal.timeout(liveLimits.helloTimeoutMs)
        const hello = decodeRoomLinkHello((await lp.read({ signal })).subarray())
        let accepted!: () => void
        const link = end<RoomDownlink>(stream, lp, peer, log, new Promise<void>((r) => (accepted = r)))
        const outcome = hello ? await accept(hello, peer, link) : 'invalid'
        if (typeof outcome === 'string') {
          await lp.write(encodeRoomLinkMessage({ ok: false, reason: outcome }), { signal })
          await stream.close({ signal })
          return
        }
        handler = outcome
        await lp.write(encodeRoomLinkMessage({ ok: true }), { signal })
        accepted()
      } catch (err) {
        log('room link hello failed', err)
        stream.abort(err as Error)
        return
      }
      await pump(stream, lp, decodeRoomUplink, handler, log)
    },
    { maxInboundStreams: liveLimits.maxRoomStreams },
  )
  return () => host.unhandle([...LIVE_ROOM_PROTOCOLS])
}

/**
 * The member's side: opens a link for `hello.live` at the first of `addrs` that accepts;
 * throws {@link LiveRefused} if the hub refuses, an error if none answers. `handler` then gets
 * every frame the hub writes, and `closed` once when the link ends.
 */
export async function openLiveRoom(
  host: Host,
  addrs: string[],
  hello: RoomLinkHello,
  handler: RoomLinkHandler<RoomDownlink>,
  log: Log = () => {},
): Promise<RoomLinkEnd<RoomUplink>> {
  let lastError: unknown
  for (const addr of addrs) {
    let stream: Stream | undefined
    try {
      const signal = AbortSignal.timeout(liveLimits.helloTimeoutMs)
      // 1.1.0 first; a hub that has only 1.0.0 agrees on that (and then hears no `delay`).
      stream = await host.dialProtocol(multiaddr(addr), [...LIVE_ROOM_PROTOCOLS], { signal })
      const lp = lpStream(stream, { maxDataLength: liveLimits.maxRoomFrameBytes })
      await lp.write(encodeRoomLinkMessage(hello), { signal })
      const accepted = decodeRoomLinkAccept((await lp.read({ signal })).subarray())
      if (!accepted) throw new Error('not an answer of /shulin/live-room/1.0.0')
      if (!accepted.ok) throw new LiveRefused(accepted.reason)
      const peer =
        multiaddr(addr)
          .getComponents()
          .find((c) => c.name === 'p2p')?.value ?? ''
      void pump(stream, lp, decodeRoomDownlink, handler, log)
      return end<RoomUplink>(stream, lp, peer, log)
    } catch (err) {
      stream?.abort(err as Error)
      if (err instanceof LiveRefused) throw err
      lastError = err
    }
  }
  throw new Error(`the hub's room did not answer (${(lastError as Error | undefined)?.message ?? 'no address'})`)
}
