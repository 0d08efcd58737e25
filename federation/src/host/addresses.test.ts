/**
 * The order a node's addresses are handed to peers in: what a peer elsewhere can reach first,
 * loopback after, relayed last.
 */
import { describe, expect, it } from 'vitest'
import { announceProblem, forPeers, inDialOrder } from './addresses.js'

describe('addresses', () => {
  it('puts public before private before loopback, and relayed last', () => {
    const id = '12D3KooWGzGxqVzvmC3zLDmYpHE2DXMHsnaoRJDCjqGA8iqNpzoN'
    const relayed = `/ip4/198.51.100.1/tcp/8091/p2p/${id}/p2p-circuit`
    expect(
      inDialOrder([
        '/ip4/127.0.0.1/tcp/8091',
        relayed,
        '/ip4/192.168.1.20/tcp/8091',
        '/ip4/203.0.113.7/tcp/8091',
        '/ip4/10.0.0.3/tcp/8091',
        '/ip6/::1/tcp/8091',
      ]),
    ).toEqual([
      '/ip4/203.0.113.7/tcp/8091',
      '/ip4/192.168.1.20/tcp/8091',
      '/ip4/10.0.0.3/tcp/8091',
      '/ip4/127.0.0.1/tcp/8091',
      '/ip6/::1/tcp/8091',
      relayed,
    ])
  })

  it('keeps the relayed address when a host has more addresses than an entry holds', () => {
    const many = Array.from({ length: 12 }, (_, i) => `/ip4/172.17.0.${i + 2}/tcp/8091`)
    const relayed = '/ip4/198.51.100.1/tcp/8091/p2p/12D3KooWGzGxqVzvmC3zLDmYpHE2DXMHsnaoRJDCjqGA8iqNpzoN/p2p-circuit'
    const out = forPeers([relayed, ...many])
    expect(out).toHaveLength(8)
    expect(out.at(-1)).toBe(relayed)
    expect(out.slice(0, 7)).toEqual(many.slice(0, 7))
  })

  it('says why an address cannot be announced', () => {
    expect(announceProblem('/dns4/hub.example.org/tcp/8091')).toBeUndefined()
    expect(announceProblem('not-a-multiaddr')).toMatch(/not a multiaddr/)
    expect(announceProblem('/ip4/1.2.3.4/udp/9/quic-v1')).toMatch(/not a TCP address/)
    expect(announceProblem('/ip4/0.0.0.0/tcp/8091')).toMatch(/listen-anywhere/)
  })
})
