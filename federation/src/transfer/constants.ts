/**
 * How this node carries content transfer: streams, timeouts, caches. The protocol id, its
 * messages and the wire limits both sides hold to are `@shulin/protocol`'s
 * (`distribution/content`).
 */

/** 1 MiB: a chunk lost to a kill or a corrupt peer costs little to fetch again. */
export const defaultChunkSize = 1024 * 1024
/** Streams one fetcher may hold open to one provider (lanes per provider ask up to this). */
export const maxInboundStreams = 16
/** Streams a provider serves at once, over all peers; past this it answers `busy`. */
export const maxActiveStreams = 128
/** A stream with no request for this long is closed by the provider. */
export const streamIdleMs = 30_000
/** Hashing a large file for its manifest takes a while; asking for one waits this long. */
export const manifestTimeoutMs = 120_000
/** No chunk frame for this long: the provider is taken as stalled and its chunks go elsewhere. */
export const chunkTimeoutMs = 20_000
/** A chunk request's answer (the chunks themselves are timed one by one). */
export const requestTimeoutMs = 30_000
/** Dialing one provider (all its addresses together). */
export const dialTimeoutMs = 10_000
/** Manifests a provider keeps in memory (a 1 GiB file's is ~70 KB). */
export const manifestCacheSize = 64
