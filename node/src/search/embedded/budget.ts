/**
 * @module search/embedded/budget
 * How much work one query may do. Search runs on the event loop, so a query that scores every
 * candidate of a broad term, or tries every piece of a long string against thousands of
 * records, stalls every other request of the node (issue 15: one 60-character query took 15 s).
 * Each costly step — scoring a record for a part, checking a piece against a field, following
 * a pinyin place, trying a vocabulary word — spends units here, and stops or falls back to
 * cheap counting when none are left. Cheap linear passes (posting-list membership, facet
 * counts) are not counted: they are bounded by the number of records, at a few nanoseconds each.
 */

/** Units for one query: about 10 ms of scoring on one core of this project's build machines (one unit ≈ one field checked). */
export const queryWorkUnits = 30_000

export class WorkBudget {
  #left: number
  /** Units spent so far (what tests read). */
  spent = 0
  /** Some work was skipped: scores of broad matches are rough, and `total` may be a lower bound. */
  exhausted = false

  constructor(units: number = queryWorkUnits) {
    this.#left = units
  }

  get left(): number {
    return this.#left
  }

  /** Spends `units` if they are there; false (and nothing spent) when they are not. */
  spend(units: number): boolean {
    if (units > this.#left) {
      this.exhausted = true
      return false
    }
    this.#left -= units
    this.spent += units
    return true
  }
}
