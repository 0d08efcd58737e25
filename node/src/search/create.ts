/**
 * @module search/create
 * Chooses the search engine from the node's configuration. The Meilisearch client is loaded
 * only when configured.
 */
import type { NodeConfig } from '../config/config.js'
import type { SearchEngine } from './engine.js'
import { EmbeddedEngine } from './embedded/engine.js'

export async function createSearchEngine(
  config: Pick<NodeConfig, 'search' | 'meiliUrl' | 'meiliKey'>,
  dir: string,
  nodeId: string,
): Promise<SearchEngine> {
  if (config.search === 'meilisearch' && config.meiliUrl) {
    const { MeiliEngine } = await import('./meili/engine.js')
    return new MeiliEngine({
      url: config.meiliUrl,
      ...(config.meiliKey ? { apiKey: config.meiliKey } : {}),
      index: `shulin-${nodeId.toLowerCase()}`,
    })
  }
  return new EmbeddedEngine({ dir })
}
