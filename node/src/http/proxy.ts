/**
 * @module http/proxy
 * Which reverse proxies the node trusts, and the client address they saw.
 *
 * `X-Forwarded-For` is a list every hop appends to, starting with whatever the client wrote:
 * its leftmost entry is the client's own claim. The address to believe is the one the nearest
 * untrusted hop was seen at: walk from the socket's peer leftwards past trusted proxies and
 * stop at the first address that is not one (as Express's `trust proxy` does, with the same
 * `proxy-addr` rules). Proxies are trusted by count (`--trusted-proxies 2`: the two hops
 * nearest the node) or by address (`--trusted-proxies 10.0.0.0/8,loopback`); `--trust-proxy`
 * alone trusts one hop.
 *
 * @example
 * ```ts
 * const proxy = proxyTrust({ trustProxy: true })
 * proxy.clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.7') // '203.0.113.7'
 * ```
 */
import { isIP } from 'node:net'
import proxyAddr from 'proxy-addr'

export interface ProxyTrust {
  /** Whether the socket's peer is a proxy whose X-Forwarded-* headers are believed. */
  trusts(socketAddress: string): boolean
  /** The client's address: the first hop, from the node outwards, that is not a trusted proxy. */
  clientAddress(socketAddress: string, forwardedFor: string | undefined): string
}

/** `N` (hops) or addresses, CIDR ranges and proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`), comma-separated. */
export function parseTrustedProxies(value: string): number | string[] {
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v)
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  proxyAddr.compile(list) // throws on an address or range it cannot read
  return list
}

const untrusted: ProxyTrust = { trusts: () => false, clientAddress: (socket) => socket }

export function proxyTrust(opts: { trustProxy: boolean; trustedProxies?: number | string[] | undefined }): ProxyTrust {
  const setting = opts.trustedProxies ?? (opts.trustProxy ? 1 : 0)
  if (setting === 0 || (Array.isArray(setting) && setting.length === 0)) return untrusted
  const trust: (address: string, hop: number) => boolean =
    typeof setting === 'number' ? (_a, hop) => hop < setting : proxyAddr.compile(setting)
  return {
    trusts: (socket) => trust(socket, 0),
    clientAddress(socket, forwardedFor) {
      if (!trust(socket, 0)) return socket
      const hops = (forwardedFor ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .reverse()
      let seen = socket
      for (let i = 0; i < hops.length; i++) {
        const next = hops[i]!
        // A proxy writes addresses; anything else was the client's, past the last address believed.
        if (!isIP(next)) return seen
        seen = next
        if (!trust(next, i + 1)) return next
      }
      return seen
    },
  }
}
