/**
 * @module live/room/lectures
 * What the rooms read of live-core's {@link LiveService}: a lecture's status, policy, start,
 * and whether it is relayed from the hub (a mirror, whose room is the hub's).
 */
import { ProblemError } from '../../http/problem.js'
import type { LiveService } from '../service.js'
import type { RoomLectures } from './service.js'

export function roomLectures(live: LiveService): RoomLectures {
  return {
    async get(id) {
      const r = await live.get(id).catch((err: unknown) => {
        if (err instanceof ProblemError && err.code === 'not_found') return undefined
        throw err
      })
      return r && { id: r.id, status: r.status, access: r.access, startedAt: r.startedAt, relayed: r.origin !== null }
    },
  }
}
