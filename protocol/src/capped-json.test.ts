/** Another node's answer is read with a cap, whether or not it declares its length. */
import { describe, expect, it } from 'vitest'
import { readCappedJson } from './capped-json.js'

const streamed = (bytes: number) =>
  new Response(
    new ReadableStream({
      start(c) {
        for (let sent = 0; sent < bytes; sent += 65_536) c.enqueue(new Uint8Array(65_536).fill(0x20))
        c.close()
      },
    }),
  )

describe('capped JSON answers', () => {
  it('reads a small answer', async () =>
    expect(await readCappedJson(Response.json({ ok: true }), 1024)).toEqual({ ok: true }))
  it('refuses an answer that declares more than the cap', async () => {
    await expect(
      readCappedJson(new Response('{}', { headers: { 'content-length': '999999999' } }), 1024),
    ).rejects.toThrow(/over 1024/)
  })
  it('refuses an endless body that declares nothing, without reading it all', async () => {
    await expect(readCappedJson(streamed(64 * 1024 * 1024), 1024 * 1024)).rejects.toThrow(/over 1048576/)
  })
})
