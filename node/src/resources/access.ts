/**
 * @module resources/access
 * Who may see a record and who may open its content.
 *
 * - Records: published ones are visible to all (metadata is a catalogue); drafts and
 *   withdrawn ones only to staff.
 * - Content, by the record's policy: `public` anyone; `node-readers` signed-in accounts of
 *   this node (visiting readers signed in through their home library are refused);
 *   `member-readers` also visiting readers of member nodes; `staff` staff only.
 */
import type { Resource } from '@shulin/protocol'
import type { RequestAuth } from '../http/env.js'

const isStaff = (auth: RequestAuth | null) =>
  !!auth && (auth.account.roles.includes('admin') || auth.account.roles.includes('librarian'))

export function canSeeRecord(r: Resource, auth: RequestAuth | null): boolean {
  return r.status === 'published' || isStaff(auth)
}

/** `null` when allowed; otherwise whether signing in could help (401) or not (403/404). */
export function contentAccess(
  r: Resource,
  auth: RequestAuth | null,
): null | 'unauthenticated' | 'forbidden' | 'not_found' {
  if (!canSeeRecord(r, auth)) return 'not_found'
  if (isStaff(auth)) return null
  switch (r.access) {
    case 'public':
      return null
    case 'node-readers':
      if (!auth) return 'unauthenticated'
      return auth.account.home ? 'forbidden' : null
    case 'member-readers':
      return auth ? null : 'unauthenticated'
    case 'staff':
      return auth ? 'forbidden' : 'unauthenticated'
  }
}
