/** Protocol id and limits of the stats roll-up exchange. */
export { STATS_PROTOCOL } from '@shulin/protocol'
/** 64 roll-ups of ~3 KiB each fit well within this. */
export const maxPushBytes = 1024 * 1024
export const pushTimeoutMs = 20_000
/** Members push once a day (and catch up); a few streams at a time per connection suffice. */
export const maxInboundStreams = 4
