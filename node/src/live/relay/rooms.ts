/**
 * @module live/relay/rooms
 * This node's rooms as its readers' WebSocket route sees them, on a member that relays the
 * hub's lectures: a relayed lecture's messages go to the hub's room through the relay (the hub
 * judges them; its broadcasts come back into the local room), everything else — this node's
 * own lectures, and the viewers' pings for the delay figure — to the local room. Subscribers of
 * a relayed lecture are also told when the link to the hub drops and comes back, with the
 * relay's own message `{type: 'relay', state}` ({@link RoomRelayMessage}, `wire/live`).
 */
import type { RoomRelayMessage, RoomServerMessage } from '@shulin/protocol'
import type { LiveRooms, RoomListener } from '../room/index.js'
import type { LiveService } from '../service.js'
import type { MemberLiveRelay } from './member.js'

export function relayedRooms(local: LiveRooms, relay: MemberLiveRelay, live: LiveService): LiveRooms {
  const relayed = async (liveId: string) => !!(await live.store.get(liveId).catch(() => undefined))?.origin
  return {
    async submit(liveId, author, msg, rights) {
      if (msg.type === 'ping' || !(await relayed(liveId))) return local.submit(liveId, author, msg, rights)
      return relay.submit(liveId, author, msg)
    },
    subscribe(liveId: string, listener: RoomListener) {
      const off = local.subscribe(liveId, listener)
      const offState = relay.onState((id, state) => {
        if (id !== liveId) return
        const msg: RoomRelayMessage = { type: 'relay', state }
        // The relay's own message, beside the room's: clients that do not know it ignore it.
        listener(msg as unknown as RoomServerMessage, 'all')
      })
      return () => {
        off()
        offState()
      }
    },
    apply: (liveId, msg) => local.apply(liveId, msg),
    snapshot: (liveId, opts) => local.snapshot(liveId, opts),
    isMuted: (liveId, authorId) => local.isMuted(liveId, authorId),
    questions: (liveId) => local.questions(liveId),
  }
}
