/**
 * @module live/access
 * Who may watch a live lecture: its access policy, as for a resource's content (`public`
 * anyone; `node-readers` this node's signed-in accounts; `member-readers` also visiting readers
 * of member nodes; `staff` staff only). Staff-only lectures are not listed to others.
 */
import type { RequestAuth } from '../http/env.js'
import { ProblemError } from '../http/problem.js'
import { accessProblem } from '../resources/files/routes.js'
import { isStaff } from '../courses/access.js'
import type { LiveRecord } from './store.js'

export const canSeeLive = (r: LiveRecord, auth: RequestAuth | null): boolean => r.access !== 'staff' || isStaff(auth)

/** Throws what a reader gets for a lecture they may not see (404) or watch (401/403). */
export function checkLiveContent(r: LiveRecord, auth: RequestAuth | null): void {
  if (!canSeeLive(r, auth)) throw new ProblemError('not_found')
  if (isStaff(auth)) return
  switch (r.access) {
    case 'public':
      return
    case 'node-readers':
      if (!auth) throw accessProblem('unauthenticated')
      if (auth.account.home) throw accessProblem('forbidden')
      return
    case 'member-readers':
      if (!auth) throw accessProblem('unauthenticated')
      return
    case 'staff':
      throw accessProblem(auth ? 'forbidden' : 'unauthenticated')
  }
}
