/**
 * @module runtime/deno
 * Deno 2 adapter: `Deno.serve`. Compiled with the rest; only ever loaded under Deno.
 */
import type { Context } from 'hono'
import { upgradeWebSocket } from 'hono/deno'
import type { UpgradeWebSocket } from 'hono/ws'
import type { RuntimeAdapter } from './adapter.js'

interface DenoAddr {
  hostname: string
  port: number
}
interface DenoServer {
  addr: DenoAddr
  finished: Promise<void>
  shutdown(): Promise<void>
}
declare const Deno: {
  serve(
    opts: { hostname: string; port: number; onListen?: (addr: DenoAddr) => void },
    handler: (req: Request, info: { remoteAddr: DenoAddr }) => Response | Promise<Response>,
  ): DenoServer
}

export const denoRuntime: RuntimeAdapter = {
  name: 'deno',
  async serve(fetch, { host, port }) {
    const server = Deno.serve({ hostname: host, port, onListen: () => {} }, (req, info) =>
      fetch(req, { remoteAddr: info.remoteAddr }),
    )
    return {
      port: server.addr.port,
      close: async (graceMs) => {
        await Promise.race([server.shutdown(), new Promise((r) => setTimeout(r, graceMs))])
      },
    }
  },
  clientAddress: (c: Context) => (c.env as { remoteAddr?: DenoAddr } | undefined)?.remoteAddr?.hostname ?? 'unknown',
  upgradeWebSocket: upgradeWebSocket as UpgradeWebSocket,
  bufferedAmount: (ws) => (ws.raw as { bufferedAmount?: number } | undefined)?.bufferedAmount ?? 0,
  // Deno's WebSocket has no abort: a close is the nearest (its runtime bounds the handshake).
  abort: (ws) => ws.close(1008, 'too slow'),
}
