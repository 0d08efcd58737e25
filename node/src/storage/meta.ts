/**
 * @module storage/meta
 * The `meta` sublevel: schema version, the node's creation record, and node-wide secrets.
 */
import type { Storage, Sublevel } from './db.js'

export interface NodeMeta {
  schemaVersion: number
  nodeId: string
  createdAt: string
  /** Base64 key for keyed hashes of personal identifiers (resident ID numbers). Never leaves the node. */
  identifierKey: string
}

export type MetaStore = Sublevel<unknown>

export const metaKeys = { node: 'node' } as const

export function metaStore(storage: Storage): MetaStore {
  return storage.sublevel<unknown>('meta')
}

export async function readNodeMeta(meta: MetaStore): Promise<NodeMeta | undefined> {
  return (await meta.get(metaKeys.node)) as NodeMeta | undefined
}
