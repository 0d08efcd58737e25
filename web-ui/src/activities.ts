/**
 * @module activities
 * The reading activities' paths on the node and the words for their state: every URL the
 * activity pages call is spelled here once (so a route that moves is one edit), and a phase
 * is always shown in words with its dates in Asia/Shanghai — the campaign's days are Beijing
 * days wherever the reader's phone thinks it is.
 */
import type { ActivityView, EntryStatus, PhaseName } from '@shulin/protocol'
import { at, type ActivityKey } from './i18n/activities.js'
import { locale } from './i18n/index.js'

const e = encodeURIComponent

export const activityPaths = {
  list: '/api/activities',
  one: (id: string) => `/api/activities/${e(id)}`,
  ranking: (id: string, scope: string, of?: string) =>
    `/api/activities/${e(id)}/ranking?scope=${e(scope)}${of ? `&of=${e(of)}` : ''}`,
  entries: (id: string) => `/api/activities/${e(id)}/entries`,
  entry: (id: string, entry: string) => `/api/activities/${e(id)}/entries/${e(entry)}`,
  like: (id: string, entry: string) => `/api/activities/${e(id)}/entries/${e(entry)}/like`,
  myEntries: '/api/me/activity-entries',
  signup: (id: string) => `/api/activities/${e(id)}/signup`,
  mySignups: '/api/me/signups',
  /** A text's model reading (范读), by the activity and the text's resource id (byte ranges). */
  model: (id: string, resource: string) => `/api/activities/${e(id)}/texts/${e(resource)}/model`,
  /** Staff upload a text's model reading there (multipart `audio`). */
  staffModel: (id: string, resource: string) => `/api/staff/activities/${e(id)}/texts/${e(resource)}/model`,
  staffCreate: '/api/staff/activities',
  staffPublish: (id: string) => `/api/staff/activities/${e(id)}/publish`,
  finalists: (id: string) => `/api/judge/activities/${e(id)}/finalists`,
  score: (id: string, entry: string) => `/api/judge/activities/${e(id)}/entries/${e(entry)}/score`,
  staffResults: (id: string) => `/api/staff/activities/${e(id)}/results`,
  staffCheckIn: (id: string) => `/api/staff/activities/${e(id)}/check-in`,
}

/** The portal's own pages. */
export const activityHref = (id: string): string => `/activities/${e(id)}`
export const entryHref = (activity: string, entry: string): string => `/activities/${e(activity)}/entries/${e(entry)}`

export const phaseOrder: PhaseName[] = ['signup', 'submission', 'voting', 'judging', 'results']

const phaseKeys: Record<PhaseName, ActivityKey> = {
  signup: 'phaseSignup',
  submission: 'phaseSubmission',
  voting: 'phaseVoting',
  judging: 'phaseJudging',
  results: 'phaseResults',
}
export const phaseLabel = (p: PhaseName): string => at(phaseKeys[p])

const statusKeys: Record<EntryStatus, ActivityKey> = {
  processing: 'entryStatusProcessing',
  ready: 'entryStatusReady',
  failed: 'entryStatusFailed',
  withdrawn: 'entryStatusWithdrawn',
  disqualified: 'entryStatusDisqualified',
}
export const entryStatusLabel = (s: EntryStatus): string => at(statusKeys[s])

const eventKeys: Record<string, ActivityKey> = {
  lecture: 'eventLecture',
  exhibition: 'eventExhibition',
  'reading-club': 'eventReadingClub',
  other: 'eventOther',
}

/** 诵读, or the event's form (讲座, 展览, 读书会). */
export function kindLabel(a: Pick<ActivityView, 'kind' | 'eventKind'>): string {
  if (a.kind === 'recitation') return at('kindRecitation')
  return at(eventKeys[a.eventKind ?? 'other'] ?? 'eventOther')
}

const yearOf = (ms: number) => new Date(ms + 8 * 3600_000).getUTCFullYear()

/**
 * An instant as a date and time in Beijing (`12月3日 20:00` / `3 Dec, 20:00`), with the year
 * only when it is not this year's.
 */
export function shanghaiTime(iso: string, withTime = true): string {
  const ms = Date.parse(iso)
  return new Intl.DateTimeFormat(locale() === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai',
    ...(yearOf(ms) !== yearOf(Date.now()) ? { year: 'numeric' } : {}),
    month: locale() === 'en' ? 'short' : 'long',
    day: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}),
  }).format(new Date(ms))
}

/** A phase's window in words; one day's window names the day once (`12月3日 19:00–21:00`). */
export function windowLabel(w: { from: string; to: string }): string {
  const day = (iso: string) => shanghaiTime(iso, false)
  if (day(w.from) === day(w.to)) {
    const time = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    return `${shanghaiTime(w.from)}–${time.format(new Date(w.to))}`
  }
  return at('phaseWindow', { from: shanghaiTime(w.from), to: shanghaiTime(w.to) })
}

/**
 * Where the activity stands, in words: the phase now and until when, else the next phase and
 * when it starts, else finished.
 */
export function phaseSummary(a: Pick<ActivityView, 'phase' | 'phases'>, now = Date.now()): string {
  if (a.phase) {
    const w = a.phases[a.phase]
    return `${at('phaseNow', { phase: phaseLabel(a.phase) })}${w ? ` · ${windowLabel(w)}` : ''}`
  }
  const next = phaseOrder
    .map((p) => [p, a.phases[p]] as const)
    .filter((x): x is readonly [PhaseName, { from: string; to: string }] => !!x[1] && Date.parse(x[1].from) > now)
    .sort((x, y) => Date.parse(x[1].from) - Date.parse(y[1].from))[0]
  if (next) return at('phaseUpcoming', { phase: phaseLabel(next[0]), from: shanghaiTime(next[1].from) })
  return at('phaseOver')
}

/**
 * Whether a phase is open now: the node's word for the phase now, or — since submission and
 * voting may overlap and the node names only the later one — the phase's window holding now.
 * (The node decides in the end; its refusal is shown in words.)
 */
export function isOpen(a: Pick<ActivityView, 'phase' | 'phases'>, p: PhaseName, now = Date.now()): boolean {
  const w = a.phases[p]
  return a.phase === p || (!!w && Date.parse(w.from) <= now && now < Date.parse(w.to))
}

/** `m:ss` for a recording's length. */
export function seconds(s: number): string {
  const n = Math.max(0, Math.round(s))
  return `${Math.floor(n / 60)}:${String(n % 60).padStart(2, '0')}`
}

/** Where the last check-in code shown for an activity is kept, so the page shows it offline. */
export const savedCodeKey = (activity: string): string => `shulin.checkin.${activity}`
