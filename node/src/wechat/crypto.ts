/**
 * @module wechat/crypto
 * WeChat's message signatures and its "safe mode" cipher, as the official account platform
 * documents them (消息加解密, WXBizMsgCrypt): the SHA-1 signature over the sorted token,
 * timestamp and nonce (and, in safe mode, the ciphertext); AES-256-CBC with the 43-character
 * EncodingAESKey (the IV is the key's first 16 bytes), PKCS#7 padded to 32-byte blocks, the
 * plaintext being 16 random bytes, the message length (4 bytes, big-endian), the message and
 * the AppID.
 *
 * @example
 * const cipher = new WechatCipher(encodingAesKey, appId)
 * const encrypted = cipher.encrypt('<xml>…</xml>')
 * cipher.decrypt(encrypted) // → '<xml>…</xml>'
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** The signature WeChat sends: SHA-1 (hex) of the parts sorted as strings and joined. */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex')
}

/** Compares in constant time (a forged signature learns nothing from how long the refusal took). */
export function signatureHolds(given: string | undefined, expected: string): boolean {
  if (!given) return false
  const a = Buffer.from(given.toLowerCase())
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** An EncodingAESKey: 43 characters of base64 without its padding (32 bytes). */
export const encodingAesKeyRe = /^[A-Za-z0-9+/]{43}$/

const block = 32

/** Why a ciphertext was refused (the endpoint answers 400 for each, never 500). */
export class WechatCipherError extends Error {
  override readonly name = 'WechatCipherError'
}

export class WechatCipher {
  readonly #key: Buffer
  readonly #iv: Buffer

  constructor(
    encodingAesKey: string,
    readonly appId: string,
  ) {
    if (!encodingAesKeyRe.test(encodingAesKey)) throw new WechatCipherError('the EncodingAESKey is not 43 characters')
    this.#key = Buffer.from(encodingAesKey + '=', 'base64')
    this.#iv = this.#key.subarray(0, 16)
  }

  encrypt(message: string, random: Buffer = randomBytes(16)): string {
    const body = Buffer.from(message, 'utf8')
    const length = Buffer.alloc(4)
    length.writeUInt32BE(body.length)
    const plain = Buffer.concat([random, length, body, Buffer.from(this.appId, 'utf8')])
    const pad = block - (plain.length % block)
    const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)])
    const cipher = createCipheriv('aes-256-cbc', this.#key, this.#iv).setAutoPadding(false)
    return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64')
  }

  /** The message inside; refuses a ciphertext that is malformed or made for another AppID. */
  decrypt(encrypted: string): string {
    const data = Buffer.from(encrypted, 'base64')
    if (data.length === 0 || data.length % 16 !== 0) throw new WechatCipherError('the ciphertext is not whole blocks')
    const decipher = createDecipheriv('aes-256-cbc', this.#key, this.#iv).setAutoPadding(false)
    const padded = Buffer.concat([decipher.update(data), decipher.final()])
    const pad = padded[padded.length - 1] ?? 0
    if (pad < 1 || pad > block || pad > padded.length) throw new WechatCipherError('bad padding')
    const plain = padded.subarray(0, padded.length - pad)
    if (plain.length < 20) throw new WechatCipherError('too short')
    const length = plain.readUInt32BE(16)
    if (20 + length > plain.length) throw new WechatCipherError('the length overruns the message')
    const appId = plain.subarray(20 + length).toString('utf8')
    if (appId !== this.appId) throw new WechatCipherError('made for another AppID')
    return plain.subarray(20, 20 + length).toString('utf8')
  }
}
