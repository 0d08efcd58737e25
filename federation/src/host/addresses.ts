/**
 * @module host/addresses
 * Which of a node's addresses peers should be given, and in what order: what an operator
 * announces (`--announce`) is checked here, and a node's own addresses are put in the order a
 * peer should try them — public before private before loopback, and relayed (`/p2p-circuit`)
 * last — so an invite or a registry entry cut to eight addresses never keeps only loopback ones.
 *
 * Kept free of libp2p's host so the configuration can check `--announce` without starting one.
 *
 * @example
 * ```ts
 * announceProblem('/dns4/hub.example.org/tcp/8091') // undefined: fine
 * inDialOrder(['/ip4/127.0.0.1/tcp/8091', '/ip4/192.168.1.5/tcp/8091']) // LAN address first
 * ```
 */
import { multiaddr } from '@multiformats/multiaddr'

/** An address peers can dial over TCP: host, TCP port, and at most the node's own `/p2p/` id after them. */
const announceable = /^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d{1,5}(\/p2p\/[1-9A-HJ-NP-Za-km-z]+)?$/

/** Why `addr` cannot be announced to peers, or undefined when it can. */
export function announceProblem(addr: string): string | undefined {
  try {
    multiaddr(addr)
  } catch {
    return `"${addr}" is not a multiaddr`
  }
  if (!announceable.test(addr)) return `"${addr}" is not a TCP address peers can dial`
  const port = Number(/\/tcp\/(\d+)/.exec(addr)![1])
  if (port < 1 || port > 65535) return `"${addr}" names no TCP port (1–65535)`
  const host = addr.split('/')[2]!
  if (host === '0.0.0.0' || host === '::') return `"${addr}" is a listen-anywhere address, not one peers can dial`
  return undefined
}

/** 0: public, 1: private network, 2: loopback or link-local, 3: relayed through another peer. */
function rank(addr: string): number {
  if (addr.includes('/p2p-circuit')) return 3
  const [, proto, host = ''] = addr.split('/')
  if (proto === 'dns' || proto === 'dns4' || proto === 'dns6') return host === 'localhost' ? 2 : 0
  if (proto === 'ip4') {
    const [a = 0, b = 0] = host.split('.').map(Number)
    if (a === 127 || (a === 169 && b === 254)) return 2
    if (a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b < 128))
      return 1
    return 0
  }
  const h = host.toLowerCase()
  if (h === '::1' || h.startsWith('fe80:')) return 2
  if (h.startsWith('fc') || h.startsWith('fd')) return 1
  return 0
}

/** `addrs` in the order a peer should try them (stable within each kind). */
export function inDialOrder(addrs: readonly string[]): string[] {
  return addrs
    .map((a, i) => ({ a, i, r: rank(a) }))
    .sort((x, y) => x.r - y.r || x.i - y.i)
    .map((x) => x.a)
}

/**
 * At most `max` of `addrs` to hand out, in dial order: a host on many interfaces (container
 * bridges, VPNs) must not crowd its relayed address — for a member behind NAT the only way
 * in — out of an invite or a registry entry, so up to two relayed addresses keep their place.
 */
export function forPeers(addrs: readonly string[], max = 8): string[] {
  const ordered = inDialOrder(addrs)
  const relayed = ordered.filter((a) => a.includes('/p2p-circuit')).slice(0, Math.min(2, max))
  const direct = ordered.filter((a) => !a.includes('/p2p-circuit')).slice(0, max - relayed.length)
  return [...direct, ...relayed]
}

/** The most one of several addresses of a peer may take of a dial's time before the next is tried. */
export const addressShareMs = 3_500

/**
 * The signal for dialing the `index`-th of `count` addresses within `overall`: an address with
 * others after it gets a share of the time, not all of it — behind NAT a member's private
 * address may swallow packets, and the relayed one, last, is the way in.
 */
export function addressSignal(overall: AbortSignal, index: number, count: number): AbortSignal {
  return index < count - 1 ? AbortSignal.any([overall, AbortSignal.timeout(addressShareMs)]) : overall
}
