/**
 * @module http/etag
 * `If-None-Match` against an entity tag (RFC 9110 §13.1.2): any tag of the list, compared
 * weakly, or `*`. Shared by the file server and the phone directory's conditional pull.
 */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false
  if (header.trim() === '*') return true
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
}
