/**
 * @module node-key
 * A node's identity is an Ed25519 key kept in its data folder. Its libp2p PeerId is the
 * node id everywhere: in health, in the registry, in signed records.
 *
 * @example
 * ```ts
 * const key = await loadOrCreateNodeKey('/var/lib/shulin/node-key')
 * key.nodeId // '12D3KooW…'
 * ```
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'

export interface NodeKey {
  readonly privateKey: PrivateKey
  readonly nodeId: string
}

export class NodeKeyError extends Error {
  override readonly name = 'NodeKeyError'
}

const fileHeader = 'shulin-node-key-v1\n'

function fromProtobuf(bytes: Uint8Array): NodeKey {
  const privateKey = privateKeyFromProtobuf(bytes)
  if (privateKey.type !== 'Ed25519') throw new NodeKeyError(`node key must be Ed25519, found ${privateKey.type}`)
  return { privateKey, nodeId: peerIdFromPrivateKey(privateKey).toString() }
}

/** Reads the node key; a missing file gives `null`, a damaged one throws {@link NodeKeyError}. */
export async function readNodeKey(path: string): Promise<NodeKey | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  if (!text.startsWith(fileHeader)) throw new NodeKeyError(`${path} is not a Shulin node key`)
  try {
    return fromProtobuf(Buffer.from(text.slice(fileHeader.length).trim(), 'base64'))
  } catch (err) {
    throw new NodeKeyError(`${path} is damaged: ${(err as Error).message}`)
  }
}

/** Writes a key atomically (temp file, fsync, rename), readable by its owner only. */
export async function writeNodeKey(path: string, key: NodeKey): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.tmp-${process.pid}`
  const fh = await open(tmp, 'w', 0o600)
  try {
    await fh.writeFile(fileHeader + Buffer.from(privateKeyToProtobuf(key.privateKey)).toString('base64') + '\n')
    await fh.sync()
  } finally {
    await fh.close()
  }
  try {
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw err
  }
}

export async function generateNodeKey(): Promise<NodeKey> {
  const privateKey = await generateKeyPair('Ed25519')
  return { privateKey, nodeId: peerIdFromPrivateKey(privateKey).toString() }
}

/** Encodes a key for a backup file. */
export const exportNodeKey = (key: NodeKey): string =>
  Buffer.from(privateKeyToProtobuf(key.privateKey)).toString('base64')
/** Decodes a key from a backup file. */
export const importNodeKey = (b64: string): NodeKey => fromProtobuf(Buffer.from(b64, 'base64'))
