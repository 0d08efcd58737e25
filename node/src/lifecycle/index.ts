/**
 * @module lifecycle
 * One start/stop lifecycle for the node's components, after js-libp2p's `Startable`
 * (packages/interface/src/startable.ts, packages/libp2p/src/components.ts): every component
 * that holds something open (a database, a socket, a timer) declares `start` and `stop`, and
 * one loop starts them in order and stops them in reverse — also when a start fails part way,
 * so no caller writes its own shutdown sequence.
 *
 * Phases, each over all components: `beforeStart` (in order), `start` (in order), `afterStart`
 * (in order); then `beforeStop`, `stop`, `afterStop` (each in reverse order). `beforeStart` is
 * where a component registers with another before anything opens (as a libp2p service calls
 * the registrar); `beforeStop` is where it stops taking work before the others stop (the HTTP
 * server drains its requests while every service behind them still runs).
 *
 * @example
 * ```ts
 * const life = new Lifecycle([
 *   { name: 'storage', start: () => {}, stop: () => storage.close() },
 *   { name: 'timer', start: () => void (t = setInterval(tick, 1000)), stop: () => clearInterval(t) },
 * ])
 * await life.start() // a failure stops what had started, in reverse, then throws
 * await life.stop()
 * ```
 */

export interface Startable {
  /** Names the component in the error thrown when it fails to stop. */
  readonly name: string
  beforeStart?(): void | Promise<void>
  start(): void | Promise<void>
  afterStart?(): void | Promise<void>
  beforeStop?(): void | Promise<void>
  stop(): void | Promise<void>
  afterStop?(): void | Promise<void>
}

type Phase = 'beforeStart' | 'start' | 'afterStart' | 'beforeStop' | 'stop' | 'afterStop'

/** Components started in order and stopped in reverse, once each. */
export class Lifecycle {
  readonly #components: readonly Startable[]
  /** The components whose `start` resolved (and so must be stopped), in start order. */
  #started: Startable[] = []
  #stopping: Promise<void> | undefined

  constructor(components: readonly Startable[]) {
    this.#components = components
  }

  /**
   * Starts every component in order. When any phase fails, the components whose `start`
   * resolved are stopped in reverse (all three stop phases) and the first error is thrown.
   */
  async start(): Promise<void> {
    try {
      for (const c of this.#components) await c.beforeStart?.()
      for (const c of this.#components) {
        await c.start()
        this.#started.push(c)
      }
      for (const c of this.#components) await c.afterStart?.()
    } catch (err) {
      // A failure to stop here is secondary: the caller needs the reason the start failed.
      await this.stop().catch(() => {})
      throw err
    }
  }

  /**
   * Stops the started components in reverse order, once however often it is called. Every
   * component is stopped even when one fails (its database must still close); the first
   * failure is thrown at the end.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll()
    return this.#stopping
  }

  async #stopAll(): Promise<void> {
    const started = [...this.#started].reverse()
    const failures: Array<{ name: string; phase: Phase; err: unknown }> = []
    for (const phase of ['beforeStop', 'stop', 'afterStop'] as const) {
      for (const c of started) {
        try {
          await c[phase]?.()
        } catch (err) {
          failures.push({ name: c.name, phase, err })
        }
      }
    }
    const first = failures[0]
    if (first)
      throw new Error(
        `${first.name} failed to stop (${first.phase}): ${(first.err as Error)?.message ?? String(first.err)}`,
        { cause: first.err },
      )
  }
}
