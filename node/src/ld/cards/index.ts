/**
 * @module ld/cards
 * Knowledge cards (知识卡片) over a node's records and lecture subtitles: builds the service with
 * the subtitles read as search reads them (a lecture's first track, from the blob store).
 */
import type { BlobStore } from '../../blobs/store.js'
import type { Logger } from '../../logger.js'
import type { ResourceRecords } from '../../resources/store.js'
import { Transcripts } from '../../search/transcript.js'
import { CardService } from './service.js'

export { CardService } from './service.js'
export { cardRoutes } from './routes.js'

export function createCards(init: {
  records: ResourceRecords
  blobs: BlobStore
  /** Whether the linked data publishes a place (see CardServiceInit.isPlace). */
  isPlace?: ((id: string) => Promise<boolean>) | undefined
  logger?: Logger | undefined
}): CardService {
  const transcripts = new Transcripts(init.blobs)
  return new CardService({
    records: init.records,
    transcript: async (r) => (await transcripts.cues(r)).map((c) => c.text).join('\n'),
    isPlace: init.isPlace,
    logger: init.logger,
  })
}
