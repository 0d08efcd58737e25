/**
 * @module capped-json
 * Reads another node's JSON answer with a size cap: a member (a reader's home library, a
 * content provider) is vouched for by the hub, not trusted to be well-behaved, and one endless
 * body must not take this node's memory.
 */

export class TooLargeError extends Error {
  override readonly name = 'TooLargeError'
}

/** The answer's body as JSON, refusing it past `maxBytes` (declared or actually sent). */
export async function readCappedJson(res: Response, maxBytes: number): Promise<unknown> {
  const declared = Number(res.headers.get('content-length') ?? '0')
  if (declared > maxBytes) {
    await res.body?.cancel()
    throw new TooLargeError(`answer of ${declared} bytes is over ${maxBytes}`)
  }
  if (!res.body) return null
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new TooLargeError(`answer over ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}
