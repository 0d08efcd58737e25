/**
 * libp2p's TLS handshake (`/tls/1.0.0`, interoperable with `@libp2p/tls` and go-libp2p) with the
 * handshake certificate made once per host and reused, and a peer's certificate checked once.
 *
 * `@libp2p/tls` makes a new certificate for every connection: an ECDSA key, an Ed25519 signature
 * over it by the host key, an X.509 certificate built and signed in JavaScript, and an OpenSSL
 * context parsed from its PEM; then it parses and checks the peer's certificate in JavaScript.
 * On loopback that is about 30 ms of CPU per connection, both ends together, against about 13 ms
 * for Noise (`npm run bench:handshake`). A hub takes thousands of connections when its members
 * come back together (a restart, a busy minute), and a county library's small machine pays the
 * same for each peer it dials.
 *
 * The spec allows the reuse: "Endpoints MAY generate a new key and certificate for every
 * connection attempt, or they MAY reuse the same key and certificate for multiple connections"
 * (libp2p specs, tls/tls.md). The certificate's key is unrelated to the host key, so a new one is
 * made every {@link CERT_REUSE_MS}. A peer's certificate is checked in full the first time; the
 * same bytes again (the peer reuses its certificate too) need only its validity dates and the
 * expected peer id checked, since the certificate's signatures cannot have changed. OpenSSL still
 * proves, on every handshake, that the peer holds the certificate's private key.
 *
 * The rest follows `@libp2p/tls` 3.1 (its exported utilities do the framing and the full check):
 * TLS 1.3 only, the server requires the client's certificate, the muxer is chosen by ALPN.
 */
import { createHash } from 'node:crypto'
import { TLSSocket, connect, createSecureContext, type SecureContext } from 'node:tls'
import {
  InvalidCryptoExchangeError,
  UnexpectedPeerError,
  serviceCapabilities,
  type ComponentLogger,
  type ConnectionEncrypter,
  type MessageStream,
  type PeerId,
  type PrivateKey,
  type SecureConnectionOptions,
  type SecuredConnection,
  type StreamMuxerFactory,
  type Upgrader,
} from '@libp2p/interface'
import { generateCertificate, toMessageStream, toNodeDuplex, verifyPeerCertificate } from '@libp2p/tls/utils'

export const TLS_PROTOCOL = '/tls/1.0.0'
/** How long one handshake certificate (and its key) serves before the next is made. */
export const CERT_REUSE_MS = 24 * 3_600_000
/** Peers' certificates remembered as checked; the oldest is forgotten past this. */
export const CHECKED_PEERS_MAX = 8192

export interface ReusedTlsComponents {
  privateKey: PrivateKey
  logger: ComponentLogger
  upgrader: Upgrader
}

/** What the encrypter did, for tests and benchmarks. */
export interface ReusedTlsStats {
  certificatesMade: number
  peerCertificatesChecked: number
  peerCertificatesRecognised: number
}

interface CheckedPeer {
  peer: PeerId
  notBefore: number
  notAfter: number
}

class HandshakeAbortedError extends Error {
  override name = 'HandshakeTimeoutError'
  constructor() {
    super('the TLS handshake was aborted')
  }
}

export class ReusedCertificateTls implements ConnectionEncrypter {
  readonly protocol = TLS_PROTOCOL
  readonly [Symbol.toStringTag] = 'shulin/tls-reused'
  readonly [serviceCapabilities] = ['@libp2p/connection-encryption']
  readonly stats: ReusedTlsStats = { certificatesMade: 0, peerCertificatesChecked: 0, peerCertificatesRecognised: 0 }
  private readonly log
  private own?: { context: Promise<SecureContext>; madeAt: number }
  /** sha256 of a peer certificate's DER → who it proved to be (insertion order: oldest first). */
  private readonly checked = new Map<string, CheckedPeer>()

  constructor(private readonly components: ReusedTlsComponents) {
    this.log = components.logger.forComponent('shulin:tls')
  }

  secureInbound(connection: MessageStream, options?: SecureConnectionOptions): Promise<SecuredConnection> {
    return this.encrypt(connection, true, options)
  }

  secureOutbound(connection: MessageStream, options?: SecureConnectionOptions): Promise<SecuredConnection> {
    return this.encrypt(connection, false, options)
  }

  /** This host's certificate as an OpenSSL context, made once per {@link CERT_REUSE_MS}. */
  private context(): Promise<SecureContext> {
    const now = Date.now()
    if (!this.own || now - this.own.madeAt > CERT_REUSE_MS) {
      const context = generateCertificate(this.components.privateKey).then(({ cert, key }) => {
        this.stats.certificatesMade++
        return createSecureContext({ cert, key, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' })
      })
      // A failure is not kept: the next handshake tries again.
      context.catch(() => {
        if (this.own?.context === context) this.own = undefined
      })
      this.own = { context, madeAt: now }
    }
    return this.own.context
  }

  /** Who the peer's certificate proves it is: checked in full once, then by its bytes. */
  private async remotePeer(raw: Buffer, validFrom: string, validTo: string, expected?: PeerId): Promise<PeerId> {
    const key = createHash('sha256').update(raw).digest('base64')
    const known = this.checked.get(key)
    const now = Date.now()
    if (known && known.notBefore <= now && now <= known.notAfter) {
      if (expected && !expected.equals(known.peer)) throw new UnexpectedPeerError()
      this.stats.peerCertificatesRecognised++
      return known.peer
    }
    const peer = await verifyPeerCertificate(new Uint8Array(raw), expected, this.log)
    this.stats.peerCertificatesChecked++
    const notBefore = Date.parse(validFrom)
    const notAfter = Date.parse(validTo)
    if (Number.isFinite(notBefore) && Number.isFinite(notAfter)) {
      if (this.checked.size >= CHECKED_PEERS_MAX) this.checked.delete(this.checked.keys().next().value!)
      this.checked.set(key, { peer, notBefore, notAfter })
    }
    return peer
  }

  private async encrypt(
    connection: MessageStream,
    isServer: boolean,
    options?: SecureConnectionOptions,
  ): Promise<SecuredConnection> {
    const muxers = this.components.upgrader.getStreamMuxers()
    const offered = options?.skipStreamMuxerNegotiation === true ? [] : [...muxers.keys()]
    let streamMuxer: StreamMuxerFactory | undefined
    const secureContext = await this.context()
    options?.signal?.throwIfAborted()
    const common = {
      secureContext,
      rejectUnauthorized: false, // self-signed: checked below, against the libp2p extension
      ALPNProtocols: [...offered, 'libp2p'],
    }
    const duplex = toNodeDuplex(connection)
    const socket = isServer
      ? new TLSSocket(duplex, {
          ...common,
          isServer: true,
          requestCert: true,
          ALPNCallback: ({ protocols }) => {
            for (const protocol of protocols) {
              const muxer = muxers.get(protocol)
              if (muxer && offered.includes(protocol)) {
                streamMuxer = muxer
                return protocol
              }
            }
            return protocols.includes('libp2p') ? 'libp2p' : undefined
          },
        })
      : connect({ ...common, socket: duplex })
    duplex.on('error', (err) => socket.emit('error', err))
    const onAbort = () => socket.emit('error', new HandshakeAbortedError())
    options?.signal?.addEventListener('abort', onAbort)
    try {
      return await new Promise<SecuredConnection>((resolve, reject) => {
        socket.on('error', (err: Error) => {
          this.log.error('TLS on a %s connection failed - %e', connection.direction, err)
          socket.destroy()
          connection.abort(err)
          reject(err)
        })
        socket.once('secure', () => {
          const remote = socket.getPeerCertificate()
          if (!remote?.raw) {
            socket.emit('error', new InvalidCryptoExchangeError('the peer sent no certificate'))
            return
          }
          this.remotePeer(remote.raw, remote.valid_from, remote.valid_to, options?.remotePeer).then(
            (remotePeer) => {
              const alpn = socket.alpnProtocol
              if (!isServer && typeof alpn === 'string' && alpn !== 'libp2p' && offered.length) {
                streamMuxer = muxers.get(alpn)
                if (!streamMuxer) {
                  socket.emit('error', new InvalidCryptoExchangeError(`the peer chose muxer ${alpn}, not offered`))
                  return
                }
              }
              resolve({ remotePeer, connection: toMessageStream(connection, socket), streamMuxer })
            },
            (err: unknown) => socket.emit('error', err),
          )
        })
      })
    } finally {
      options?.signal?.removeEventListener('abort', onAbort)
    }
  }
}

/** The encrypter for `createLibp2p({ connectionEncrypters })`, in place of `@libp2p/tls`'s `tls()`. */
export function reusedCertificateTls(): (components: ReusedTlsComponents) => ReusedCertificateTls {
  return (components) => new ReusedCertificateTls(components)
}
