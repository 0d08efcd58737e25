/**
 * @module live
 * How members relay the hub's live lectures, as mechanisms only: {@link serveLive} /
 * {@link askLiveFile} / {@link askLiveList} carry `/shulin/live/1.0.0` (the lectures, and each
 * playlist and segment once), {@link serveLiveRoom} / {@link openLiveRoom} carry
 * `/shulin/live-room/1.0.0` (the room's messages both ways). Who is answered, and what goes
 * into which room, is the node's (`node/src/live/relay/`).
 */
export * from './files.js'
export * from './room-link.js'
