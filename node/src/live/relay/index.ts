/**
 * @module live/relay
 * Members relay the hub's live lectures to their own readers (`/shulin/live/1.0.0`,
 * `/shulin/live-room/1.0.0`, declared in `@shulin/protocol` `wire/live`). By role:
 * - the hub runs {@link HubLiveRelay}: gives its active members its lectures, files and room;
 * - a member started with `--relay-live` runs {@link MemberLiveRelay}: mirrors the hub's
 *   lectures, pulls each segment once, bridges the room: the node's rooms hand a relayed
 *   lecture's messages to it ({@link LiveRooms.forwardTo}), and it tells their clients when the
 *   link to the hub drops and comes back ({@link relayStateToRooms}).
 *
 * Why a flag and not a channel: today a channel carries signed resource records into the
 * catalogue, and a live lecture is not one (its schedule changes by the minute and its files
 * exist only while it runs). Relaying is one decision per library, like `--mirror-rate`: on,
 * every lecture the hub broadcasts is relayed; off, none is.
 *
 * @example
 * ```ts
 * const relay = createLiveRelay({ role, relayLive: true, network: federation, live, rooms })
 * await relay.start()
 * ```
 */
import type { Logger } from '../../logger.js'
import type { DistributionNetwork } from '../../distribution/components.js'
import type { LiveRooms } from '../room/index.js'
import type { LiveService } from '../service.js'
import { HubLiveRelay } from './hub.js'
import { MemberLiveRelay, type MemberRelayInit } from './member.js'
import { relayStateToRooms } from './rooms.js'

export { HubLiveRelay, type MemberCounts } from './hub.js'
export { MemberLiveRelay, type MemberRelayInit, type RelayCounts } from './member.js'
export { relayStateToRooms } from './rooms.js'
export { readPlaylist, writePlaylist } from './playlist.js'

export interface LiveRelayOptions {
  role: 'node' | 'hub'
  /** A member: relay the hub's lectures (`--relay-live`). */
  relayLive: boolean
  network: Pick<DistributionNetwork, 'whenHost' | 'hubPeer' | 'entry'>
  live: LiveService
  /** This node's own rooms. */
  rooms: LiveRooms
  member?: MemberRelayInit
  logger?: Logger | undefined
}

export interface LiveRelay {
  readonly hub: HubLiveRelay | undefined
  readonly member: MemberLiveRelay | undefined
  start(): Promise<void>
  stop(): Promise<void>
}

export function createLiveRelay(o: LiveRelayOptions): LiveRelay {
  const hub =
    o.role === 'hub'
      ? new HubLiveRelay({ network: o.network, live: o.live, rooms: o.rooms, logger: o.logger })
      : undefined
  const member =
    o.role === 'node' && o.relayLive
      ? new MemberLiveRelay({ network: o.network, live: o.live, rooms: o.rooms, logger: o.logger }, o.member)
      : undefined
  let off: Array<() => void> = []
  return {
    hub,
    member,
    async start() {
      await hub?.start()
      if (!member) return
      off = [
        o.rooms.forwardTo((liveId, author, msg) => member.submit(liveId, author, msg)),
        relayStateToRooms(member, o.rooms),
      ]
      await member.start()
    },
    async stop() {
      for (const f of off) f()
      member?.stop()
      await hub?.stop()
    },
  }
}
