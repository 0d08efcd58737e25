/**
 * @module courses/lecture-index
 * Which lectures each course holds, kept in memory: read once from the records on first use,
 * then kept current from the records' change feed. The records stay the one truth (a lecture's
 * `parentId` is its course), so there is no second store to fall out of step after a crash.
 */
import type { Resource } from '@shulin/protocol'
import type { ResourceRecords } from '../resources/store.js'

export class LectureIndex {
  #byCourse: Map<string, Set<string>> | undefined
  #loading: Promise<Map<string, Set<string>>> | undefined
  /** Changes seen while the first read runs, applied after it. */
  readonly #pending: Array<(m: Map<string, Set<string>>) => void> = []

  constructor(private readonly records: ResourceRecords) {
    records.onChange((changes) => {
      for (const ch of changes) {
        const apply = (m: Map<string, Set<string>>) => {
          const before = ch.kind === 'put' ? ch.previous : ch.resource
          if (before?.type === 'lecture' && before.parentId) m.get(before.parentId)?.delete(before.id)
          if (ch.kind === 'put') this.#add(m, ch.resource)
        }
        if (this.#byCourse) apply(this.#byCourse)
        else this.#pending.push(apply)
      }
    })
  }

  #add(m: Map<string, Set<string>>, r: Resource): void {
    if (r.type !== 'lecture' || !r.parentId) return
    let set = m.get(r.parentId)
    if (!set) m.set(r.parentId, (set = new Set()))
    set.add(r.id)
  }

  async #load(): Promise<Map<string, Set<string>>> {
    if (this.#byCourse) return this.#byCourse
    this.#loading ??= (async () => {
      const m = new Map<string, Set<string>>()
      for await (const r of this.records.all()) this.#add(m, r)
      for (const apply of this.#pending.splice(0)) apply(m)
      this.#byCourse = m
      return m
    })()
    return this.#loading
  }

  /** The course's lectures, by position (then creation). */
  async lecturesOf(courseId: string): Promise<Resource[]> {
    const ids = [...((await this.#load()).get(courseId) ?? [])]
    const found = (await this.records.getMany(ids)).filter(
      (r): r is Resource => !!r && r.type === 'lecture' && r.parentId === courseId,
    )
    return found.sort((a, b) => (a.lecture?.position ?? 0) - (b.lecture?.position ?? 0) || a.id.localeCompare(b.id))
  }
}
