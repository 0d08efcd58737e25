/**
 * @module live/relay/rooms
 * A relayed lecture's viewers are told when this node loses the hub and when it is back: the
 * relay's own message `{type: 'relay', state}` ({@link RoomRelayMessage}, `wire/live`) goes to
 * every client of the lecture's room on this node, beside the room's messages. It is not one of
 * the room's (`RoomServerMessage`, whose schema is live-room's): the room broadcasts it as it
 * broadcasts a message it does not keep, and a client that does not know it ignores it.
 */
import type { RoomRelayMessage, RoomServerMessage } from '@shulin/protocol'
import type { LiveRooms } from '../room/index.js'
import type { MemberLiveRelay } from './member.js'

/** Tells the rooms' clients each change of a relayed lecture's link; returns the unregister. */
export function relayStateToRooms(relay: MemberLiveRelay, rooms: Pick<LiveRooms, 'apply'>): () => void {
  return relay.onState((liveId, state) => {
    const msg: RoomRelayMessage = { type: 'relay', state }
    void rooms.apply(liveId, msg as unknown as RoomServerMessage).catch(() => {})
  })
}
