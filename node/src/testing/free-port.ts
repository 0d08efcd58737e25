/**
 * @module testing/free-port
 * A loopback port free right now, for tests that must name a port before a node takes it
 * (a public URL, a peer port another node dials).
 */
import { createServer } from 'node:net'

export async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject)
    s.listen(0, '127.0.0.1', resolve)
  })
  const { port } = s.address() as { port: number }
  await new Promise((resolve) => s.close(resolve))
  return port
}
