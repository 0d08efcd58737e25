/**
 * @module http/base-url
 * Which origins are this node's own, and the absolute URL readers and harvesters reach it at.
 *
 * A request's `Host` (and, behind a trusted proxy, `X-Forwarded-Host`/`-Proto`) is written by
 * whoever sends the request, so it never decides a URL that matters on its own: a link, a
 * share URL or a sign-in redirect names the request's origin only when that origin is one of
 * the node's, and the node's primary origin otherwise. Flows that sign a redirect refuse a
 * request addressed to another origin outright ({@link NodeOrigins.requireOwn}): a hub asked
 * at `Host: evil.example` would otherwise sign a request sending readers' codes there.
 *
 * @example
 * ```ts
 * const origins = new NodeOrigins({ publicUrl: undefined, host: '127.0.0.1' })
 * origins.listening(8090)
 * const baseUrl = baseUrlResolver(origins)
 * baseUrl(c) // 'http://127.0.0.1:8090' whatever Host the request named
 * ```
 */
import { networkInterfaces } from 'node:os'
import type { Context } from 'hono'
import { ProblemError } from './problem.js'

export type BaseUrl = (c: Context) => string

const anyAddress = new Set(['0.0.0.0', '::', '[::]', ''])
const loopbackNames = ['localhost', '127.0.0.1', '[::1]']
const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host)
const bracket = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host)

export interface NodeOriginsOptions {
  /**
   * `--public-url` (or the one saved in the staff console, read on each call so a change takes
   * effect at once): when set, the node's one configured origin and its primary URL.
   */
  publicUrl?: string | undefined | (() => string | undefined)
  /** The address the HTTP server listens on (`--host`). */
  host: string
  /** More origins known to be the node's (a member: the web address its registry entry holds). */
  recorded?: () => readonly string[]
  /** Whether the request came through a trusted proxy, so X-Forwarded-Host/-Proto are the proxy's. */
  viaProxy?: (c: Context) => boolean
}

export class NodeOrigins {
  #port = 0

  constructor(private readonly opts: NodeOriginsOptions) {}

  get #public(): string | undefined {
    const p = this.opts.publicUrl
    return (typeof p === 'function' ? p() : p)?.replace(/\/+$/, '')
  }

  /** Called once the server has its port (0 in the configuration picks one). */
  listening(port: number): void {
    this.#port = port
  }

  /** The URL the node gives when the request's own origin is not one of its own. */
  primary(): string {
    if (this.#public) return this.#public
    const host = anyAddress.has(this.opts.host) ? '127.0.0.1' : this.opts.host
    return `http://${bracket(host)}:${this.#port}`
  }

  /**
   * The node's origins: the public URL when one is configured; otherwise the listen address
   * with its port (every interface's address for an all-interfaces listen, and the loopback
   * names for a loopback one); and what the registry recorded for it.
   */
  own(): Set<string> {
    const out = new Set<string>()
    if (this.#public) out.add(new URL(this.#public).origin)
    else {
      const port = this.#port
      const hosts = anyAddress.has(this.opts.host)
        ? [
            ...loopbackNames,
            ...Object.values(networkInterfaces()).flatMap((list) =>
              (list ?? []).map((i) => i.address.replace(/%.*$/, '')),
            ),
          ]
        : isLoopback(this.opts.host)
          ? [this.opts.host, ...loopbackNames]
          : [this.opts.host]
      for (const h of hosts) {
        try {
          out.add(new URL(`http://${bracket(h)}:${port}`).origin)
        } catch {
          // An interface address URL cannot hold (a zone-scoped one): not an origin anyone uses.
        }
      }
    }
    for (const r of this.opts.recorded?.() ?? []) {
      try {
        out.add(new URL(r).origin)
      } catch {
        // The registry validated it; a malformed one simply is not an origin.
      }
    }
    return out
  }

  /** The origin the request was addressed to, as its headers tell (or undefined if they make no URL). */
  requested(c: Context): string | undefined {
    const url = new URL(c.req.url)
    const proxied = this.opts.viaProxy?.(c) ?? false
    const proto = proxied ? c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() : undefined
    const host =
      (proxied ? c.req.header('x-forwarded-host')?.split(',')[0]?.trim() : undefined) ||
      c.req.header('host') ||
      url.host
    try {
      return new URL(`${proto === 'https' || proto === 'http' ? proto : url.protocol.slice(0, -1)}://${host}`).origin
    } catch {
      return undefined
    }
  }

  /**
   * Whether the request was addressed to one of the node's origins. Hosts are compared, not
   * schemes: behind a TLS proxy that does not say so, the node sees `http` for its `https` URL.
   */
  isOwn(c: Context): boolean {
    const requested = this.requested(c)
    if (!requested) return false
    const host = new URL(requested).host
    for (const o of this.own()) if (new URL(o).host === host) return true
    return false
  }

  /** Refuses (421) a request addressed to an origin that is not the node's: such a request gets no signed redirect. */
  requireOwn(c: Context): void {
    if (!this.isOwn(c))
      throw new ProblemError('misdirected_request', {
        detail: `${this.requested(c) ?? 'this address'} → ${this.primary()}`,
      })
  }

  /** The request's origin when it is one of the node's, else the primary URL. */
  baseUrl(c: Context): string {
    if (this.#public) return this.#public
    const requested = this.requested(c)
    return requested && this.own().has(requested) ? requested : this.primary()
  }
}

export function baseUrlResolver(origins: NodeOrigins): BaseUrl {
  return (c) => origins.baseUrl(c)
}
