/**
 * @module services
 * The node's services over an opened data folder, built the same way for the HTTP server
 * and for CLI commands that run while the node is stopped.
 */
import type { PasswordPolicy } from '@shulin/protocol'
import { AccountService } from './accounts/service.js'
import type { CodeSender } from './accounts/code-sender.js'
import { SessionService } from './sessions/service.js'
import { SetupService } from './setup/service.js'
import { ResourceService } from './resources/service.js'
import type { OpenedDataFolder } from './storage/data-folder.js'
import { BlobStore } from './blobs/store.js'
import { FileService } from './resources/files/service.js'
import { CollectionService } from './collections/service.js'
import { ReadingService } from './reading/service.js'

export interface NodeServices {
  sessions: SessionService
  accounts: AccountService
  setup: SetupService
  resources: ResourceService
  blobs: BlobStore
  files: FileService
  collections: CollectionService
  reading: ReadingService
}

export function buildServices(folder: OpenedDataFolder, opts: { sender: CodeSender; passwordPolicy: PasswordPolicy; now?: () => number }): NodeServices {
  const sessions = new SessionService(folder.storage, opts.now)
  const accounts = new AccountService({
    storage: folder.storage,
    sessions,
    sender: opts.sender,
    identifierKey: Buffer.from(folder.nodeMeta.identifierKey, 'base64'),
    passwordPolicy: opts.passwordPolicy,
    ...(opts.now ? { now: opts.now } : {}),
  })
  const resources = new ResourceService({ storage: folder.storage, nodeId: folder.key.nodeId, ...(opts.now ? { now: opts.now } : {}) })
  const blobs = new BlobStore(folder.storage, folder.dir, opts.now)
  const files = new FileService(resources, blobs)
  const collections = new CollectionService(folder.storage, resources.store, opts.now)
  const reading = new ReadingService(folder.storage, opts.now)
  return { sessions, accounts, setup: new SetupService(folder.storage, accounts), resources, blobs, files, collections, reading }
}
