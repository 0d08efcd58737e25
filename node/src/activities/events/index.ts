/**
 * @module activities/events
 * Events with sign-up (讲座, 展览, 读书会) and the share page of recitation entries, over the
 * node's {@link ActivitiesService}: sign-up with capacity and a waiting list, cancellation,
 * "my sign-ups", the signed check-in code and the desk's check-in, the staff's list (CSV too),
 * and `GET /share/entries/:id` with Open Graph tags.
 *
 * @example
 * ```ts
 * const events = buildEvents({ storage, key, activities, accounts: accounts.store, notifier, now })
 * eventRoutes(app, api, { ...events, baseUrl, libraryName })
 * ```
 */
import type { Hono } from 'hono'
import type { NodeKey } from '@shulin/federation'
import type { ActivityView, EntryView } from '@shulin/protocol'
import type { Api } from '../../http/api.js'
import type { AppEnv } from '../../http/env.js'
import type { BaseUrl } from '../../http/base-url.js'
import { ProblemError } from '../../http/problem.js'
import type { Notifier } from '../../notify/notifier.js'
import type { Logger } from '../../logger.js'
import type { Storage } from '../../storage/db.js'
import type { ActivitiesService } from '../service.js'
import { CheckInCodes, checkInKeyOf } from './check-in-code.js'
import { signupRoutes } from './routes.js'
import { SignupService, type SignupAccounts } from './service.js'
import { entrySharePageRoutes, type SharedEntries } from './share-page.js'

export { SignupService } from './service.js'
export type { EventActivities, SignupAccounts } from './service.js'
export type { SharedEntries } from './share-page.js'

export interface Events {
  signups: SignupService
  entries: SharedEntries
}

/** Undefined for what act-core reports as not found; anything else is a real failure. */
async function orUndefined<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work()
  } catch (err) {
    if (err instanceof ProblemError && err.code === 'not_found') return undefined
    throw err
  }
}

export function buildEvents(opts: {
  storage: Storage
  key: NodeKey
  activities: ActivitiesService
  accounts: SignupAccounts
  notifier: Pick<Notifier, 'notify'>
  logger?: Logger
  now?: () => number
}): Events {
  const { activities } = opts
  // What readers may see: a withdrawn activity is gone for them (no sign-up, no share page).
  const view = (id: string): Promise<ActivityView | undefined> =>
    orUndefined(async () => {
      const rec = await activities.get(id)
      return rec.status === 'published' ? activities.view(rec) : undefined
    })
  const entry = (id: string): Promise<EntryView | undefined> =>
    orUndefined(async () => activities.entryView(await activities.entry(id)))
  const signups = new SignupService({
    storage: opts.storage,
    activities: { view },
    accounts: opts.accounts,
    notifier: opts.notifier,
    codes: new CheckInCodes(checkInKeyOf(opts.key)),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  })
  activities.setSignupCounter((id) => signups.counts(id))
  return { signups, entries: { view, entry } }
}

/** The sign-up routes and the entry share page. */
export function eventRoutes(
  app: Hono<AppEnv>,
  api: Api,
  deps: Events & { baseUrl: BaseUrl; libraryName: () => string },
): void {
  signupRoutes(api, deps.signups)
  entrySharePageRoutes(app, { entries: deps.entries, baseUrl: deps.baseUrl, libraryName: deps.libraryName })
}
