/**
 * @module early
 * A page's first request, started as soon as its module loads. The app loads the first page's
 * module beside the session; without this the page would ask for its data only after both, and
 * after its first render — one more round trip before the reader sees anything (on slow 4G
 * ~150 ms, the largest part of the portal's first paint of content).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit'

/**
 * `ask` with its first call answered by a request already started for `now` (the arguments the
 * current address gives this page), when those are the arguments it is called with. Any other
 * call, and every later one, asks anew: an early answer is used once, by the page it was for.
 */
export function early<A extends readonly unknown[], T>(
  now: A | undefined,
  ask: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  let started: { key: string; answer: Promise<T> } | undefined
  if (now) {
    const answer = ask(...now)
    answer.catch(() => {}) // a failure is the page's to show when it takes the answer
    started = { key: JSON.stringify(now), answer }
  }
  return (...args: A) => {
    const taken = started
    started = undefined
    if (!taken || taken.key !== JSON.stringify(args)) return ask(...args)
    // The early answer is usually there before the page asks, and would then be rendered in the
    // same task that made the page (its element, its first frame): one long task. Given in a task
    // of its own, the record page's total blocking time under Lighthouse at phone size had a
    // median of 234 ms against 305 ms (8 runs each, alternated), with 7 tasks over 12.5 ms
    // after the first paint against 9.
    return taken.answer.then(async (value) => {
      await nextTask()
      return value
    })
  }
}

/** Resolves in a new task (a timer's), after whatever the current task still has to do. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve))
}

/**
 * Resolves once the browser has painted what is on screen now (the next frame, then a new task;
 * at most 300 ms where frames do not come, as in a hidden tab).
 */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 300)
    requestAnimationFrame(() => setTimeout(() => (clearTimeout(timer), resolve())))
  })
}

/**
 * Whether a page draws what is below the fold yet: false until the page has its content (`ready`)
 * and that has been painted, then true for good. The sections below render in a task of their
 * own, instead of lengthening the task that first paints the page (the long tasks Lighthouse
 * counts as total blocking time, and a reader feels as a late tap).
 */
export class BelowTheFold implements ReactiveController {
  shown = false
  #asked = false
  readonly #host: ReactiveControllerHost
  readonly #ready: () => boolean

  constructor(host: ReactiveControllerHost, ready: () => boolean) {
    this.#host = host
    this.#ready = ready
    host.addController(this)
  }

  hostUpdated(): void {
    if (this.#asked || !this.#ready()) return
    this.#asked = true
    void afterPaint().then(() => {
      this.shown = true
      this.#host.requestUpdate()
    })
  }
}
