/**
 * Every wire protocol of Shulin's peer network, by id: its messages, their one writer and one
 * reader, and its limits. `/shulin/content/1.0.0` lives in `distribution/content`, the messages
 * of `/shulin/holders/1.0.0` in `distribution/holders` and of `/shulin/stats/1.0.0` in
 * `stats/rollup` (each beside the records it carries); their exchange declarations are here.
 */
export * from './exchange.js'
export * from './join.js'
export * from './registry.js'
export * from './search.js'
export * from './holders.js'
export * from './stats.js'
export * from './sync.js'
export * from './catalog.js'
export * from './version.js'
export * from './live.js'
