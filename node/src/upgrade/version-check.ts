/**
 * @module upgrade/version-check
 * Whether a newer Shulin is out, as far as this library's network knows: the hub answers
 * `/shulin/version/1.0.0` with the version it runs, and a member asks it at start and every six
 * hours. The member's console says "a newer version is available" when the hub's is newer by
 * semver. Nothing is fetched from the internet: many county libraries have no route to it,
 * and the network's own hub is the version that matters for working with it.
 */
import semver from 'semver'
import type { Logger } from 'pino'
import type { FederationService } from '../federation/service.js'

export interface VersionCheckOptions {
  federation: FederationService
  role: 'node' | 'hub'
  /** This node's version. */
  version: string
  logger: Logger
  /** @default six hours */
  everyMs?: number
  now?: () => number
}

export interface VersionStatus {
  /** The hub's version at the last answer (this node's own on the hub). */
  hubVersion: string | null
  /** The hub's version when it is newer than this node's; null otherwise. */
  newerVersion: string | null
  checkedAt: string | null
}

export class VersionCheck {
  #hubVersion: string | undefined
  #checkedAt: number | undefined
  #timer: NodeJS.Timeout | undefined
  #attemptAt = 0
  #checking: Promise<VersionStatus> | undefined

  constructor(private readonly opts: VersionCheckOptions) {}

  async start(): Promise<void> {
    const { federation } = this.opts
    if (this.opts.role === 'hub') {
      await federation.whenHost(async (host) => {
        const { serveVersion } = await import('@shulin/federation')
        await serveVersion(
          host,
          async (_req, from) =>
            federation.entry(from)?.status === 'active'
              ? { ok: true, version: this.opts.version }
              : { ok: false, reason: 'not_member' },
          (msg, err) => this.opts.logger.warn({ err }, msg),
        )
      })
      return
    }
    // Not in the start path: the hub may be away, and the node serves its readers regardless.
    void this.check()
    this.#timer = setInterval(() => void this.check(), this.opts.everyMs ?? 6 * 3_600_000)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** Asks the hub now (a member that has joined and whose peer network runs); never throws. */
  check(): Promise<VersionStatus> {
    this.#checking ??= this.#ask().finally(() => (this.#checking = undefined))
    return this.#checking
  }

  /**
   * The status, asking the hub in the background when its version is still unknown (a member
   * that joined since the last check, a hub that was away): the console's next look shows it.
   */
  current(): VersionStatus {
    const now = Date.now()
    if (this.opts.role === 'node' && this.#hubVersion === undefined && now - this.#attemptAt > 5000) void this.check()
    return this.status()
  }

  async #ask(): Promise<VersionStatus> {
    this.#attemptAt = Date.now()
    try {
      const hub = await this.opts.federation.hubPeer()
      const host = this.opts.federation.peerHost()
      if (hub && host) {
        const { askVersion } = await import('@shulin/federation')
        const res = await askVersion(host, hub.addrs, this.opts.version)
        if (res.ok) {
          this.#hubVersion = res.version
          this.#checkedAt = (this.opts.now ?? Date.now)()
          if (this.status().newerVersion)
            this.opts.logger.info(
              { version: this.opts.version, hubVersion: res.version },
              'a newer Shulin is available',
            )
        }
      }
    } catch (err) {
      this.opts.logger.debug({ err }, 'could not ask the hub for its version')
    }
    return this.status()
  }

  status(): VersionStatus {
    const hubVersion = this.opts.role === 'hub' ? this.opts.version : (this.#hubVersion ?? null)
    const newer =
      hubVersion &&
      semver.valid(hubVersion) &&
      semver.valid(this.opts.version) &&
      semver.gt(hubVersion, this.opts.version)
    return {
      hubVersion,
      newerVersion: newer ? hubVersion : null,
      checkedAt: this.#checkedAt ? new Date(this.#checkedAt).toISOString() : null,
    }
  }
}
