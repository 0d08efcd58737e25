/**
 * @module runtime/node
 * Node.js adapter: `@hono/node-server`, with its WebSocket support over the `ws` package
 * (`@hono/node-ws` is the older way, for node-server 1.x; 2.x takes a `ws` server itself).
 */
import { createAdaptorServer, upgradeWebSocket } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import type { UpgradeWebSocket } from 'hono/ws'
import { WebSocketServer, type WebSocket } from 'ws'
import { webSocketMaxPayload, type RuntimeAdapter } from './adapter.js'

/** Connections waiting to be accepted (the system caps it at net.core.somaxconn, 4096 on Linux 5.4 and later). */
const listenBacklog = 4096

export const nodeRuntime: RuntimeAdapter = {
  name: 'node',
  serve(fetch, { host, port }) {
    return new Promise((resolve, reject) => {
      // 64 KiB of request line and headers (Node's default is 16): a long query in Chinese is ~9 bytes a character once percent-encoded.
      // A frame over the payload cap closes its socket (1009) before it is buffered whole.
      const sockets = new WebSocketServer({ noServer: true, maxPayload: webSocketMaxPayload })
      const server = createAdaptorServer({
        fetch,
        hostname: host,
        serverOptions: { maxHeaderSize: 64 * 1024 },
        websocket: { server: sockets },
      }) as Server
      server.keepAliveTimeout = 5_000
      server.headersTimeout = 15_000
      server.requestTimeout = 120_000
      server.once('error', reject)
      // A queue of connections not yet accepted as long as the system allows (Node's default is
      // 511). sim:network at 3,000 members, 1,000 sign-ins at once while the hub served every
      // member's rounds: 286 failed (connect timeouts among them) and lookups took 20 s at the
      // median with the hub at half a core, as when a full queue drops connections and each waits
      // out SYN retries of 1, 2, 4, 8 s; with this queue, 1,000 of 1,000 and no overflow counted.
      server.listen({ port, host, backlog: listenBacklog })
      server.once('listening', () => {
        server.off('error', reject)
        resolve({
          port: (server.address() as AddressInfo).port,
          close: (graceMs) =>
            new Promise<void>((done) => {
              // An upgraded socket is no longer the HTTP server's to close: say goodbye, and cut
              // those that do not answer within a moment (a client that stopped reading never will).
              for (const ws of sockets.clients) ws.close(1001, 'server shutting down')
              const cut = setTimeout(() => sockets.clients.forEach((ws) => ws.terminate()), Math.min(graceMs, 2_000))
              cut.unref()
              const force = setTimeout(() => {
                server.closeAllConnections()
                for (const ws of sockets.clients) ws.terminate()
              }, graceMs)
              force.unref()
              server.close(() => {
                clearTimeout(force)
                clearTimeout(cut)
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
  upgradeWebSocket: upgradeWebSocket as UpgradeWebSocket,
  bufferedAmount: (ws) => (ws.raw as WebSocket | undefined)?.bufferedAmount ?? 0,
  abort: (ws) => (ws.raw as WebSocket | undefined)?.terminate(),
}
