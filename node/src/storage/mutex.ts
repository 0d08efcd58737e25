/**
 * @module storage/mutex
 * Serialises read-check-write sequences inside one process (LevelDB admits one process,
 * so this is the whole story): e.g. "is this phone free? then write it".
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve()

  /** Runs `fn` after every earlier call has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn)
    this.#tail = result.catch(() => undefined)
    return result
  }
}
