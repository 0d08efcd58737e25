/**
 * @module testing/push-service
 * Test support: a local stand-in for a Web Push service (what FCM or Mozilla's autopush are to
 * a browser), since the real ones are out of reach in tests. It holds a browser's side of a
 * subscription — a P-256 key pair and an auth secret, as `pushManager.subscribe` makes — and on
 * each POST checks the VAPID `Authorization` (RFC 8292: an ES256 JWT for this origin, signed by
 * the key in `k=`) and decrypts the aes128gcm body (RFC 8291) with those keys, as the browser
 * would. It can be told to answer 410 (the browser unsubscribed) or 5xx (the service failing).
 */
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { importJWK, jwtVerify } from 'jose'

export interface PushReceived {
  /** The decrypted payload (UTF-8). */
  text: string
  /** The VAPID public key the JWT was signed with (base64url). */
  vapidKey: string
  ttl: string | undefined
}

export interface StandInPushService {
  /** A subscription as `PushSubscription.toJSON()` gives it. */
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } }
  received: PushReceived[]
  /** Refused requests (bad signature, undecryptable): should stay empty. */
  refused: string[]
  /** The status answered to the next POSTs (201 when empty). */
  answers: number[]
  close(): Promise<void>
}

export async function startPushService(): Promise<StandInPushService> {
  const ecdh = createECDH('prime256v1')
  ecdh.generateKeys()
  const auth = randomBytes(16)
  const received: PushReceived[] = []
  const refused: string[] = []
  const answers: number[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        try {
          const { vapidKey } = await checkVapid(req.headers.authorization ?? '', origin)
          if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm')
          const text = decrypt(Buffer.concat(chunks), ecdh, auth)
          const status = answers.shift() ?? 201
          if (status === 201) received.push({ text, vapidKey, ttl: req.headers.ttl as string | undefined })
          res.writeHead(status).end()
        } catch (err) {
          refused.push(String(err))
          res.writeHead(400).end()
        }
      })()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    subscription: {
      endpoint: `${origin}/push/${randomBytes(8).toString('hex')}`,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    },
    received,
    refused,
    answers,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** RFC 8292: `vapid t=<ES256 JWT>, k=<P-256 public key>`, `aud` this origin, not expired. */
async function checkVapid(header: string, origin: string): Promise<{ vapidKey: string }> {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header)
  if (!m) throw new Error(`no VAPID authorization: ${header}`)
  const raw = Buffer.from(m[2]!, 'base64url')
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('VAPID key is not an uncompressed P-256 point')
  const key = await importJWK(
    {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
    'ES256',
  )
  const { payload } = await jwtVerify(m[1]!, key, { audience: origin, algorithms: ['ES256'] })
  if (typeof payload.sub !== 'string' || !/^(mailto|https):/.test(payload.sub)) throw new Error('VAPID sub missing')
  return { vapidKey: m[2]! }
}

/** RFC 8291 / RFC 8188, one record: the browser's side of the decryption. */
function decrypt(body: Buffer, ecdh: ReturnType<typeof createECDH>, auth: Buffer): string {
  const salt = body.subarray(0, 16)
  const idlen = body[20]!
  const senderKey = body.subarray(21, 21 + idlen)
  const ciphertext = body.subarray(21 + idlen)
  const shared = ecdh.computeSecret(senderKey)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), senderKey])
  const ikm = Buffer.from(hkdfSync('sha256', shared, auth, keyInfo, 32))
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16))
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12))
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16))
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()])
  // The last record ends with 0x02 then zero padding.
  let end = padded.length - 1
  while (end >= 0 && padded[end] === 0) end--
  if (padded[end] !== 2) throw new Error('bad record delimiter')
  return padded.subarray(0, end).toString('utf8')
}
