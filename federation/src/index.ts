/**
 * @module @shulin/federation
 * Shulin's peer layer: the node's Ed25519 identity (its libp2p PeerId), signed envelopes, the
 * libp2p host, and the join protocol.
 *
 * @example
 * ```ts
 * import { generateNodeKey, createHost } from '@shulin/federation'
 * const key = await generateNodeKey()
 * const host = await createHost({ privateKey: key.privateKey, listen: ['/ip4/127.0.0.1/tcp/0'] })
 * ```
 */
export * from './identity/node-key.js'
export * from './envelope/envelope.js'
export * from './host/host.js'
export * from './host/addresses.js'
export * from './join/join.js'
export * from './registry/registry-sync.js'
export * from './replication/replicator.js'
export * from './shards/catalog.js'
export * from './shards/catalog-sync.js'
export * from './shards/shard-store.js'
export * from './stats/stats.js'
export * from './transfer/index.js'
export * from './search/network-search.js'
export * from './holders/holders.js'
export * from './version/version.js'
export * from './live/index.js'
