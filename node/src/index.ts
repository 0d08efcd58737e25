/**
 * @module @shulin/node
 * The Shulin library node.
 *
 * @example
 * ```ts
 * import { startNode } from '@shulin/node'
 * const node = await startNode({ dataDir: './data', port: 8090 })
 * ```
 */
export { startNode, type RunningNode, type StartOptions } from './server.js'
export { NodeConfig, type NodeConfigInput } from './config/config.js'
export { main, runCli, CliError } from './cli/main.js'
export type { CodeSender, CodeMessage } from './accounts/code-sender.js'
export type { RuntimeAdapter } from './runtime/adapter.js'
export { shulinVersion } from './version.js'
