/**
 * The reused-certificate TLS over real libp2p on loopback: it speaks `/tls/1.0.0` with
 * `@libp2p/tls` both ways, makes its certificate once, recognises a peer's certificate it has
 * checked, and still refuses a peer that is not the one dialled, from its remembered certificate.
 */
import './node20.js'
import { afterAll, describe, expect, it } from 'vitest'
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tls } from '@libp2p/tls'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { generateNodeKey } from '../identity/node-key.js'
import { ReusedCertificateTls, TLS_PROTOCOL } from './tls-reused.js'

const ECHO = '/shulin-test/echo/1.0.0'
const hosts: Libp2p[] = []
afterAll(async () => {
  for (const h of hosts) await h.stop()
})

/** A host with only TCP, one encrypter and Yamux, answering an echo; `reused` holds its encrypter. */
async function host(kind: 'reused' | 'stock') {
  const made: ReusedCertificateTls[] = []
  const node = await createLibp2p({
    privateKey: (await generateNodeKey()).privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [
      kind === 'stock'
        ? tls()
        : (components) => {
            const e = new ReusedCertificateTls(components)
            made.push(e)
            return e
          },
    ],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 100 },
  })
  await node.handle(ECHO, async (stream) => {
    const lp = lpStream(stream)
    await lp.write(await lp.read())
    await stream.close()
  })
  hosts.push(node)
  return { node, reused: () => made[0]! }
}

async function echo(from: Libp2p, to: Libp2p, text: string): Promise<string> {
  const stream = await from.dialProtocol(to.getMultiaddrs()[0]!, ECHO)
  const lp = lpStream(stream)
  await lp.write(new TextEncoder().encode(text))
  const back = new TextDecoder().decode((await lp.read()).subarray())
  await stream.close()
  return back
}

describe('TLS with a reused certificate', () => {
  it('carries streams, makes one certificate, and recognises a peer it has checked', async () => {
    const a = await host('reused')
    const b = await host('reused')
    expect(await echo(a.node, b.node, '你好')).toBe('你好')
    const [conn] = a.node.getConnections(b.node.peerId)
    expect(conn?.encryption).toBe(TLS_PROTOCOL)
    expect(conn?.multiplexer).toBe('/yamux/1.0.0')
    for (let i = 0; i < 3; i++) {
      await a.node.hangUp(b.node.peerId)
      expect(await echo(a.node, b.node, `again ${i}`)).toBe(`again ${i}`)
    }
    // Four connections: one certificate each side, each side's checked once, then recognised.
    for (const side of [a, b]) {
      expect(side.reused().stats).toEqual({
        certificatesMade: 1,
        peerCertificatesChecked: 1,
        peerCertificatesRecognised: 3,
      })
    }
  })

  it('speaks the handshake of @libp2p/tls, both ways', async () => {
    const ours = await host('reused')
    const theirs = await host('stock')
    expect(await echo(ours.node, theirs.node, 'out')).toBe('out')
    await ours.node.hangUp(theirs.node.peerId)
    await expect.poll(() => theirs.node.getConnections(ours.node.peerId).length).toBe(0)
    expect(await echo(theirs.node, ours.node, 'in')).toBe('in')
    expect(ours.node.getConnections(theirs.node.peerId)[0]?.encryption).toBe(TLS_PROTOCOL)
    // The stock side makes a new certificate each time: ours checks it in full each time.
    expect(ours.reused().stats.peerCertificatesChecked).toBe(2)
    expect(ours.reused().stats.peerCertificatesRecognised).toBe(0)
  })

  it('refuses a peer that is not the one dialled, though its certificate is remembered', async () => {
    const a = await host('reused')
    const b = await host('reused')
    const other = await host('reused')
    expect(await echo(a.node, b.node, 'first')).toBe('first')
    await a.node.hangUp(b.node.peerId)
    // b's address, but another peer's id: b's certificate is known and proves b, not `other`.
    const wrong = multiaddr(`${b.node.getMultiaddrs()[0]!.decapsulateCode(421).toString()}/p2p/${other.node.peerId}`)
    await expect(a.node.dial(wrong, { signal: AbortSignal.timeout(10_000) })).rejects.toThrow(/Unexpected Peer/)
    expect(a.node.getConnections(b.node.peerId)).toHaveLength(0)
    expect(a.node.getConnections(other.node.peerId)).toHaveLength(0)
    // Refused from the remembered certificate, not by checking it in full again.
    expect(a.reused().stats.peerCertificatesChecked).toBe(1)
    // And the right id still connects.
    expect(await echo(a.node, b.node, 'right')).toBe('right')
    expect(a.reused().stats).toMatchObject({ peerCertificatesChecked: 1, peerCertificatesRecognised: 1 })
  })
})
