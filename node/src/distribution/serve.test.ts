/**
 * The content server alone, built from its components: a real LevelDB and blob store in a
 * temporary folder, and a stub network (who is the hub, who is an active member). A member's
 * content ticket gets a shared file; a ticket for another node or file, an expired one, a
 * suspended member's, and a file never shared are refused.
 */
import { Readable } from 'node:stream'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateNodeKey, type NodeKey } from '@shulin/federation/identity'
import type { MemberEntry } from '@shulin/protocol'
import { BlobStore } from '../blobs/store.js'
import { openStorage, type Storage } from '../storage/db.js'
import { tempDir } from '../testing/temp-node.js'
import type { DistributionNetwork } from './components.js'
import { contentServer, type ContentServer } from './serve.js'
import { SharedFiles } from './shared-files.js'
import { signTicket } from './tickets.js'

describe('content server', () => {
  let dir: string
  let storage: Storage
  let server: ContentServer
  let self: NodeKey
  let member: NodeKey
  let suspended: NodeKey
  let shared: string
  let unshared: string
  const clock = { now: Date.parse('2026-12-03T09:00:00Z') }

  const stage = async (blobs: BlobStore, text: string) =>
    (await (await blobs.stage(Readable.from([Buffer.from(text)]), 1024)).commit('text/plain')).sha256

  beforeAll(async () => {
    dir = await tempDir('shulin-content-server-')
    storage = await openStorage(join(dir, 'db'), { create: true, dataDir: dir })
    const blobs = new BlobStore(storage, dir)
    await blobs.init()
    ;[self, member, suspended] = await Promise.all([generateNodeKey(), generateNodeKey(), generateNodeKey()])
    const entries = new Map<string, Pick<MemberEntry, 'status'>>([
      [member.nodeId, { status: 'active' }],
      [suspended.nodeId, { status: 'suspended' }],
    ])
    const network: DistributionNetwork = {
      whenHost: async () => {},
      peerHost: () => undefined,
      peers: () => [],
      hubPeer: async () => undefined,
      hubNodeId: () => undefined,
      entry: (id) => entries.get(id) as MemberEntry | undefined,
    }
    const files = new SharedFiles(storage, blobs)
    shared = await stage(blobs, 'a channel file')
    unshared = await stage(blobs, 'a draft upload')
    await files.manifestIdOf(shared)
    server = contentServer()({ nodeId: self.nodeId, blobs, files, network, now: () => clock.now })
  })
  afterAll(async () => {
    await storage.close()
    await rm(dir, { recursive: true, force: true })
  })

  const ticket = (from: NodeKey, sha256: string, to = self.nodeId, at = clock.now) => signTicket(from, at, to, sha256)

  it('gives an active member a shared file and its manifest', async () => {
    expect(await server.forTicket(shared, await ticket(member, shared), 'bytes')).toEqual({
      what: 'bytes',
      sha256: shared,
      size: 14,
    })
    expect(await server.forTicket(shared, await ticket(member, shared), 'manifest')).toMatchObject({
      what: 'manifest',
      manifest: { sha256: shared, size: 14 },
    })
  })

  it('refuses what it must', async () => {
    const refused = async (p: Promise<unknown>) =>
      p.then(
        () => 'given',
        (err: { code?: string }) => err.code,
      )
    expect(await refused(server.forTicket(shared, undefined, 'bytes'))).toBe('unauthenticated')
    expect(await refused(server.forTicket(shared, await ticket(member, shared, member.nodeId), 'bytes'))).toBe(
      'unauthenticated',
    )
    expect(await refused(server.forTicket(shared, await ticket(member, unshared), 'bytes'))).toBe('unauthenticated')
    expect(
      await refused(
        server.forTicket(shared, await ticket(member, shared, self.nodeId, clock.now - 24 * 3_600_000), 'bytes'),
      ),
    ).toBe('unauthenticated')
    expect(await refused(server.forTicket(shared, await ticket(suspended, shared), 'bytes'))).toBe('forbidden')
    expect(await refused(server.forTicket(unshared, await ticket(member, unshared), 'bytes'))).toBe('not_found')
    expect(await refused(server.forTicket('not-a-hash', await ticket(member, shared), 'bytes'))).toBe(
      'validation_failed',
    )
  })
})
