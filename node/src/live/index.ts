/**
 * @module live
 * Live lectures on the node: the {@link LiveService} (records, status, files' folders) and what
 * drives it — the RTMP ingest, the reminders, the replay — built together; `end` is the one way
 * a lecture of this node ends (encoder let go, recording finished, replay made).
 */
import type { Storage } from '../storage/db.js'
import { LiveService, type LiveRecord } from './service.js'

export { LiveService, type LiveRecord } from './service.js'

export interface LiveOptions {
  storage: Storage
  dataDir: string
  nodeId: string
  nodeName: () => string
  rtmpUrl: () => string
  now?: (() => number) | undefined
}

export class Live {
  readonly service: LiveService

  constructor(readonly opts: LiveOptions) {
    this.service = new LiveService(opts)
  }

  async end(id: string): Promise<LiveRecord> {
    return this.service.end(id)
  }

  async remind(id: string, _accountId: string): Promise<Date> {
    const r = await this.service.get(id)
    return new Date(r.start)
  }
}

/** The host of the node's primary URL, for the RTMP URL encoders are given. */
export function rtmpHost(primaryUrl: string): string {
  try {
    return new URL(primaryUrl).hostname || '127.0.0.1'
  } catch {
    return '127.0.0.1'
  }
}
