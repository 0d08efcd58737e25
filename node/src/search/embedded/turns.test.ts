import { describe, expect, it } from 'vitest'
import { createServer, connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { ProblemError } from '../../http/problem.js'
import { Turns } from './turns.js'

const busyFor = (ms: number) => {
  const end = performance.now() + ms
  while (performance.now() < end);
}

describe('search turns', () => {
  it('serves a request that arrived during a search before the next search', async () => {
    const events: string[] = []
    const server = createServer((socket) => socket.on('data', () => events.push('other request')))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as { port: number }
    const client: Socket = connect(port, '127.0.0.1')
    await once(client, 'connect')
    await new Promise((r) => setTimeout(r, 20))
    try {
      const turns = new Turns()
      // The other request reaches the socket while the first search holds the event loop.
      client.write('GET /api/health')
      const runs = ['a', 'b', 'c'].map((name) =>
        turns.run(() => {
          busyFor(20)
          events.push(name)
        }),
      )
      await Promise.all(runs)
      expect(events).toEqual(['a', 'other request', 'b', 'c'])
    } finally {
      client.destroy()
      server.close()
    }
  })

  it('refuses with a 429 past the waiting cap, and serves again once the queue drains', async () => {
    const turns = new Turns(2)
    const runs = [1, 2, 3].map(() => turns.run(() => busyFor(1)))
    const refused = await turns.run(() => 'x').catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ProblemError)
    expect((refused as ProblemError).status).toBe(429)
    await Promise.all(runs)
    expect(await turns.run(() => 'served')).toBe('served')
  })
})
