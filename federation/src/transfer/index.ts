/**
 * @module transfer
 * Content transfer (`/shulin/content/1.0.0`): files known by their SHA-256 move as 1 MiB
 * chunks, each checked against a manifest the publisher's record names by hash, fetched from
 * several providers at once and resumable after a crash.
 *
 * @example
 * ```ts
 * // a node that holds files
 * await serveContent(host, { path: async (sha256) => blobs.pathOf(sha256) })
 * // a node that wants one
 * const manifest = await manifestOf(file) // the publisher, once: sign manifestIdOf(manifest) into the record
 * await fetchContent(host, { sha256, size, manifestId, providers, dest, work })
 * ```
 */
export { manifestOf, manifestIdOf, chunkSizeFor } from './manifest.js'
export { serveContent, type ContentSource, type ContentServer, type ContentServerInit } from './provider.js'
export {
  fetchContent,
  ContentFetchError,
  type FetchContentOptions,
  type FetchContentResult,
  type FetchProgress,
  type ProviderReport,
  type DropReason,
  type ContentProvider,
} from './fetch.js'
export { TokenBucket } from './bucket.js'
