/**
 * @module notify/quiet
 * Quiet hours and the day caps count in Asia/Shanghai wall-clock time: the readers' clock,
 * whatever the server's own time zone is. China has no daylight saving, so the offset is fixed
 * (+08:00) and the arithmetic needs no time-zone database.
 */
const offsetMs = 8 * 3_600_000
const dayMs = 86_400_000

/** Minutes since midnight in Shanghai. */
function minuteOfDay(t: number): number {
  return Math.floor(((((t + offsetMs) % dayMs) + dayMs) % dayMs) / 60_000)
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** `2026-12-03`: the Shanghai calendar day of `t` (the daily caps' key). */
export function shanghaiDay(t: number): string {
  return new Date(t + offsetMs).toISOString().slice(0, 10)
}

/**
 * When quiet hours `from`–`to` end, if `t` falls inside them; undefined when `t` is outside
 * (or the window is empty). A window whose `from` is later than `to` spans midnight.
 */
export function quietUntil(t: number, quiet: { from: string; to: string } | null): number | undefined {
  if (!quiet) return undefined
  const from = minutes(quiet.from)
  const to = minutes(quiet.to)
  if (from === to) return undefined
  const m = minuteOfDay(t)
  const inside = from < to ? m >= from && m < to : m >= from || m < to
  if (!inside) return undefined
  const wait = (to - m + 1440) % 1440
  // To the start of the minute the window ends at.
  return t - (t % 60_000) + wait * 60_000
}
