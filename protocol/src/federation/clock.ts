/**
 * @module federation/clock
 * How far apart two nodes' clocks may be (README "Clocks"). Everything a node signs for a peer
 * to check against its own clock — sign-in tokens, content tickets — is accepted across this
 * much skew either way; past it the peer refuses and says "clock skew". Replication (registry
 * sequence numbers, Yjs state vectors) does not read clocks at all.
 *
 * @example
 * ```ts
 * skewNote(Date.parse('2026-12-03T08:00:00Z'), Date.parse('2026-12-01T08:00:00Z'))
 * // 'clock skew (or a stale token): issued 2026-12-03T08:00:00.000Z by the signer’s clock, 2026-12-01T08:00:00.000Z here (2 days apart; 15 minutes tolerated)'
 * ```
 */

/**
 * Our choice: county servers without NTP drift by minutes (Kerberos tolerates 5); ten minutes
 * must work with room to spare, and everything checked with it is short-lived and single-use.
 */
export const clockToleranceSeconds = 15 * 60

function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000)
  if (s >= 2 * 86_400) return `${Math.round(s / 86_400)} days`
  if (s >= 2 * 3600) return `${Math.round(s / 3600)} hours`
  if (s >= 120) return `${Math.round(s / 60)} minutes`
  return `${s} s`
}

/**
 * Why something a peer signed at `issued` (by its clock) does not fit this node's `now`, for
 * logs and problem details: both times, how far apart, and the tolerance. (A token kept and
 * sent late looks the same as one from a slow clock; the note names both.)
 */
export function skewNote(issued: number, now: number): string {
  return `clock skew (or a stale token): issued ${new Date(issued).toISOString()} by the signer’s clock, ${new Date(now).toISOString()} here (${span(issued - now)} apart; ${span(clockToleranceSeconds * 1000)} tolerated)`
}

/**
 * The `updatedAt` of a new version of something peers order by `updatedAt` (channel records,
 * channels): now, or 1 ms after the version it replaces when that one is stamped later. A
 * publisher whose clock once ran ahead and was put right would otherwise stamp its next edits
 * older than the last, and every subscriber would refuse them as replays ("never an older
 * version over a newer") until real time caught up.
 */
export function nextStamp(now: number, previous: string | undefined): string {
  const prev = previous === undefined ? NaN : Date.parse(previous)
  return new Date(Number.isFinite(prev) && prev >= now ? prev + 1 : now).toISOString()
}
