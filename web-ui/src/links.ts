/**
 * @module links
 * Where a search hit opens in the portal: a lecture in its player (at the second its matched
 * transcript line starts, `?t=`), a course on its page, anything else on its record page
 * (`/r/:id`, which for a lecture or a course would show a bare record and no player).
 */
import type { SearchHit } from '@shulin/protocol'

export function hitHref(hit: Pick<SearchHit, 'id' | 'type' | 't'>): string {
  const id = encodeURIComponent(hit.id)
  if (hit.type === 'lecture') return `/lectures/${id}${hit.t !== undefined ? `?t=${Math.floor(hit.t)}` : ''}`
  if (hit.type === 'course') return `/courses/${id}`
  return `/r/${id}`
}

/** `m:ss`, or `h:mm:ss` past an hour: where in a lecture a hit is, a lecture's length, the player's time. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return `${h ? `${h}:` : ''}${String(m).padStart(h ? 2 : 1, '0')}:${String(s % 60).padStart(2, '0')}`
}

/** A live lecture's watch page (countdown before, the stream while live, the replay's link after). */
export function liveHref(id: string): string {
  return `/live/${encodeURIComponent(id)}`
}

/** The sign-in page that comes back to `path` (a live lecture's page, to speak or be reminded). */
export function signInHref(path: string): string {
  return `/signin?next=${encodeURIComponent(path)}`
}

/**
 * A record's cover, whatever it has: the node answers with the uploaded cover or a generated
 * one (title and author on the colour of its class), so every record can show a cover here.
 * `small` for lists and shelves (the thumbnail where there is one).
 */
export function coverHref(id: string, size?: 'small'): string {
  return `/api/resources/${encodeURIComponent(id)}/cover${size ? `?size=${size}` : ''}`
}
