/**
 * @module courses/lecture-index
 * Which courses there are and which lectures each holds, kept in memory: read once from the
 * records on first use, then kept current from the records' change feed (so listing courses
 * never walks a million books). The records stay the one truth (a lecture's `parentId` is its
 * course), so there is no second store to fall out of step after a crash.
 */
import type { Resource } from '@shulin/protocol'
import type { ResourceChange, ResourceRecords } from '../resources/store.js'

interface Index {
  courses: Set<string>
  byCourse: Map<string, Set<string>>
}

export class LectureIndex {
  #index: Index | undefined
  #loading: Promise<Index> | undefined
  /** Changes seen while the first read runs, applied after it. */
  readonly #pending: ResourceChange[] = []

  constructor(private readonly records: ResourceRecords) {
    records.onChange((changes) => {
      if (this.#index) for (const ch of changes) this.#apply(this.#index, ch)
      else this.#pending.push(...changes)
    })
  }

  #apply(index: Index, ch: ResourceChange): void {
    const before = ch.kind === 'put' ? ch.previous : ch.resource
    if (before?.type === 'lecture' && before.parentId) index.byCourse.get(before.parentId)?.delete(before.id)
    if (before?.type === 'course') index.courses.delete(before.id)
    if (ch.kind === 'put') this.#add(index, ch.resource)
  }

  #add(index: Index, r: Resource): void {
    if (r.type === 'course') index.courses.add(r.id)
    if (r.type !== 'lecture' || !r.parentId) return
    let set = index.byCourse.get(r.parentId)
    if (!set) index.byCourse.set(r.parentId, (set = new Set()))
    set.add(r.id)
  }

  async #load(): Promise<Index> {
    if (this.#index) return this.#index
    this.#loading ??= (async () => {
      const index: Index = { courses: new Set(), byCourse: new Map() }
      for await (const r of this.records.all()) this.#add(index, r)
      for (const ch of this.#pending.splice(0)) this.#apply(index, ch)
      this.#index = index
      return index
    })()
    return this.#loading
  }

  /** Every course's id, newest first (ids are creation-ordered). */
  async courseIds(): Promise<string[]> {
    return [...(await this.#load()).courses].sort().reverse()
  }

  /** The course's lectures, by position (then creation). */
  async lecturesOf(courseId: string): Promise<Resource[]> {
    const ids = [...((await this.#load()).byCourse.get(courseId) ?? [])]
    const found = (await this.records.getMany(ids)).filter(
      (r): r is Resource => !!r && r.type === 'lecture' && r.parentId === courseId,
    )
    return found.sort((a, b) => (a.lecture?.position ?? 0) - (b.lecture?.position ?? 0) || a.id.localeCompare(b.id))
  }
}
