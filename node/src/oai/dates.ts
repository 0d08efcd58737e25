/**
 * @module oai/dates
 * OAI-PMH datestamps. The repository's granularity is seconds (`YYYY-MM-DDThh:mm:ssZ`);
 * harvesters may ask by day or by second, but `from` and `until` must use the same one. A
 * day-granular `until` includes that whole day.
 */

export type Granularity = 'day' | 'seconds'

const dayRe = /^(\d{4})-(\d{2})-(\d{2})$/
const secondsRe = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/

/** The bound as an ISO instant with milliseconds (what the change index is keyed by), or undefined if invalid. */
export function parseOaiDate(
  s: string,
  bound: 'from' | 'until',
): { iso: string; granularity: Granularity } | undefined {
  const day = dayRe.exec(s)
  const sec = day ? undefined : secondsRe.exec(s)
  if (!day && !sec) return undefined
  const iso = day
    ? `${s}T${bound === 'from' ? '00:00:00.000' : '23:59:59.999'}Z`
    : `${s.slice(0, -1)}.${bound === 'from' ? '000' : '999'}Z`
  const d = new Date(iso)
  // Rejects 2026-02-30 and 25:00:00, which Date would roll over.
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 19) !== iso.slice(0, 19)) return undefined
  return { iso, granularity: day ? 'day' : 'seconds' }
}

/** An ISO instant at the repository's granularity. */
export const datestamp = (iso: string) => `${iso.slice(0, 19)}Z`
