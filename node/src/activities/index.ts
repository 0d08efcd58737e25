/**
 * @module activities
 * Reading activities (issue 20): the recitation campaign and events with sign-up. This folder
 * (act-core) holds activities, entries, likes, rankings, judging and fair play, built as one
 * {@link ActivitiesService}; `events/` (sign-up, check-in, share pages) and `network/` (the
 * hub's national activities and daily tallies) use it.
 *
 * @example
 * ```ts
 * const activities = new ActivitiesService({ storage, nodeId, library: () => ({ name, region }) })
 * const { id } = await activities.create(CreateActivityRequest.parse(body))
 * await activities.like({ activityId: id, entryId, voter: voterOf(account, nodeId), address })
 * ```
 */
export { ActivitiesService, voterOf } from './service.js'
export type {
  ActivitiesOptions,
  ActivityRecord,
  EntryAudio,
  EntryRecord,
  HubActivity,
  SignupCounter,
  Voter,
} from './service.js'
