/**
 * @module @shulin/federation
 * Shulin's peer layer. So far: the node's Ed25519 identity, which becomes its libp2p PeerId.
 *
 * @example
 * ```ts
 * import { generateNodeKey } from '@shulin/federation'
 * const { nodeId } = await generateNodeKey() // '12D3KooW…'
 * ```
 */
export * from './identity/node-key.js'
