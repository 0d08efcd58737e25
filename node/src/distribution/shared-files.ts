/**
 * @module distribution/shared-files
 * The channel files this node may give to other libraries, and their manifests (each file's
 * 1 MiB chunks' hashes, computed once). A draft's upload is never shared: only the files of
 * channel records, and those fetched from another library.
 *
 * Owns two sublevels: `content-manifests` (SHA-256 → the file's manifest) and `content-shared`
 * (SHA-256 → 1).
 */
import type { Manifest } from '@shulin/protocol'
import type { BlobStore } from '../blobs/store.js'
import { putOp, type BatchOp, type Storage, type Sublevel } from '../storage/db.js'

export class SharedFiles {
  readonly #manifests: Sublevel<Manifest>
  readonly #shared: Sublevel<1>

  constructor(
    private readonly storage: Storage,
    private readonly blobs: BlobStore,
  ) {
    this.#manifests = storage.sublevel('content-manifests')
    this.#shared = storage.sublevel('content-shared')
  }

  /** Publisher: the manifest id of a file it puts in a channel (hashed once), and the file shared from now on. */
  async manifestIdOf(sha256: string): Promise<string> {
    const { manifestIdOf } = await import('@shulin/federation')
    const manifest = await this.manifest(sha256)
    await this.storage.commit([putOp(this.#shared, sha256, 1 as const)], { sync: false })
    return manifestIdOf(manifest)
  }

  /** A held blob's manifest: the one kept, or computed and kept now (the blob must hash to its name). */
  async manifest(sha256: string): Promise<Manifest> {
    const kept = await this.#manifests.get(sha256)
    if (kept) return kept
    const { manifestOf } = await import('@shulin/federation')
    const manifest = await manifestOf(this.blobs.pathOf(sha256))
    if (manifest.sha256 !== sha256) throw new Error(`blob ${sha256} does not hash to its name`)
    await this.storage.commit([putOp(this.#manifests, sha256, manifest)], { sync: false })
    return manifest
  }

  /** The manifest kept for `sha256`, if any (never computed: what peers are told). */
  kept(sha256: string): Promise<Manifest | undefined> {
    return this.#manifests.get(sha256)
  }

  /** The size of a shared file held here, or undefined (not shared, or not here). */
  async held(sha256: string): Promise<{ size: number } | undefined> {
    return (await this.#shared.get(sha256)) ? await this.blobs.info(sha256) : undefined
  }

  /** Every shared file held now. */
  async all(): Promise<string[]> {
    const held: string[] = []
    for await (const sha256 of this.#shared.keys()) if (await this.blobs.info(sha256)) held.push(sha256)
    return held
  }

  /** The writes that make a fetched file shared, with the manifest it came by. */
  fetchedOps(sha256: string, manifest: Manifest): BatchOp[] {
    return [putOp(this.#manifests, sha256, manifest), putOp(this.#shared, sha256, 1 as const)]
  }
}
