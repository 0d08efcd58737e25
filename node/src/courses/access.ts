/**
 * @module courses/access
 * Who may see a lecture: a reader sees it when both it and its course are published (a
 * withdrawn course hides its lectures however they were left); staff see everything. Its
 * files follow the lecture's access policy, like any resource's content.
 */
import type { Resource } from '@shulin/protocol'
import type { RequestAuth } from '../http/env.js'
import { canSeeRecord, contentAccess } from '../resources/access.js'
import { accessProblem } from '../resources/files/routes.js'
import { ProblemError } from '../http/problem.js'

export const isStaff = (auth: RequestAuth | null) =>
  !!auth && (auth.account.roles.includes('admin') || auth.account.roles.includes('librarian'))

export function canSeeLecture(lecture: Resource, course: Resource | undefined, auth: RequestAuth | null): boolean {
  return canSeeRecord(lecture, auth) && (!course || canSeeRecord(course, auth))
}

/** Throws the problem a reader gets for a lecture they may not see (404) or open (401/403). */
export function checkLectureContent(lecture: Resource, course: Resource | undefined, auth: RequestAuth | null): void {
  if (!canSeeLecture(lecture, course, auth)) throw new ProblemError('not_found')
  const denied = contentAccess(lecture, auth)
  if (denied) throw accessProblem(denied)
}
