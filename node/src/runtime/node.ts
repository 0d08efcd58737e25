/**
 * @module runtime/node
 * Node.js adapter: `@hono/node-server`.
 */
import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import type { RuntimeAdapter } from './adapter.js'

export const nodeRuntime: RuntimeAdapter = {
  name: 'node',
  serve(fetch, { host, port }) {
    return new Promise((resolve, reject) => {
      // 64 KiB of request line and headers (Node's default is 16): a long query in Chinese is ~9 bytes a character once percent-encoded.
      const server = serve({ fetch, hostname: host, port, serverOptions: { maxHeaderSize: 64 * 1024 } }) as Server
      server.keepAliveTimeout = 5_000
      server.headersTimeout = 15_000
      server.requestTimeout = 120_000
      server.once('error', reject)
      server.once('listening', () => {
        server.off('error', reject)
        resolve({
          port: (server.address() as AddressInfo).port,
          close: (graceMs) =>
            new Promise<void>((done) => {
              const force = setTimeout(() => server.closeAllConnections(), graceMs)
              force.unref()
              server.close(() => {
                clearTimeout(force)
                done()
              })
              server.closeIdleConnections()
            }),
        })
      })
    })
  },
  // `app.request()` (no socket) has no incoming message to ask.
  clientAddress: (c) =>
    (c.env as { incoming?: unknown } | undefined)?.incoming ? (getConnInfo(c).remote.address ?? 'unknown') : 'unknown',
}
