import { describe, expect, it } from 'vitest'
import {
  ContentRequest,
  Manifest,
  chunkRange,
  contentLimits,
  decodeContentAnswer,
  decodeContentRequest,
  encodeContentMessage,
  manifestBytes,
} from './content.js'

// 64 KiB of "a" then one "b", in 64 KiB chunks (digests from sha256sum).
const golden: Manifest = {
  sha256: '935bf57d7f52181f095c3a3484b68e542037e287f7cde4ffe8a32896d428a1b1',
  size: 65537,
  chunkSize: 65536,
  chunks: [
    'bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a',
    '3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d',
  ],
}

describe('content manifests and messages', () => {
  it('hashes a manifest as its canonical JSON, keys sorted, whatever order it was built in', () => {
    const text =
      '{"chunkSize":65536,"chunks":["bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a","3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"],"sha256":"935bf57d7f52181f095c3a3484b68e542037e287f7cde4ffe8a32896d428a1b1","size":65537}'
    expect(new TextDecoder().decode(manifestBytes(golden))).toBe(text)
    const reordered = Manifest.parse({
      chunks: golden.chunks,
      size: golden.size,
      sha256: golden.sha256,
      chunkSize: golden.chunkSize,
    })
    expect(manifestBytes(reordered)).toEqual(manifestBytes(golden))
  })

  it('refuses a manifest whose chunk list does not cover its size, or with chunks out of bounds', () => {
    expect(Manifest.safeParse(golden).success).toBe(true)
    expect(Manifest.safeParse({ ...golden, size: 65536 }).success).toBe(false)
    expect(Manifest.safeParse({ ...golden, chunkSize: 1024, size: 1024, chunks: [golden.chunks[0]] }).success).toBe(
      false,
    )
    expect(Manifest.safeParse({ ...golden, chunks: [golden.chunks[0], 'XYZ'] }).success).toBe(false)
    expect(Manifest.safeParse({ sha256: golden.sha256, size: 0, chunkSize: 65536, chunks: [] }).success).toBe(true)
    expect(chunkRange(golden, 1)).toEqual({ offset: 65536, length: 1 })
  })

  it('round-trips requests and answers and turns anything else into undefined', () => {
    const req: ContentRequest = { want: 'chunks', sha256: golden.sha256, from: 3, count: 2 }
    expect(new TextDecoder().decode(encodeContentMessage(req))).toBe(
      `{"want":"chunks","sha256":"${golden.sha256}","from":3,"count":2}`,
    )
    expect(decodeContentRequest(encodeContentMessage(req))).toEqual(req)
    expect(decodeContentAnswer(encodeContentMessage({ ok: true, manifest: golden }))).toEqual({
      ok: true,
      manifest: golden,
    })
    expect(decodeContentAnswer(encodeContentMessage({ ok: false, reason: 'busy' }))).toEqual({
      ok: false,
      reason: 'busy',
    })
    const bad = (s: string) => decodeContentRequest(new TextEncoder().encode(s))
    expect(bad('nope')).toBeUndefined()
    expect(
      bad(`{"want":"chunks","sha256":"${golden.sha256}","from":0,"count":${contentLimits.maxChunksPerRequest + 1}}`),
    ).toBeUndefined()
    expect(bad(`{"want":"chunks","sha256":"${golden.sha256}","from":-1,"count":1}`)).toBeUndefined()
    expect(bad(`{"want":"manifest","sha256":"${golden.sha256}","extra":1}`)).toBeUndefined()
    expect(decodeContentRequest(new Uint8Array([0xff, 0xfe]))).toBeUndefined()
  })
})
