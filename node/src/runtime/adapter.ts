/**
 * @module runtime/adapter
 * The little a runtime must provide: serve a fetch handler, say who is calling, and upgrade a
 * request to a WebSocket (Hono's helper of that runtime; the live rooms use it).
 * `runtime/node.ts` and `runtime/deno.ts` are the only files that know which runtime runs them.
 */
import type { Context } from 'hono'
import type { UpgradeWebSocket, WSContext } from 'hono/ws'

export interface RunningServer {
  readonly port: number
  /** Stops accepting, lets in-flight requests finish (at most `graceMs`), then resolves. */
  close(graceMs: number): Promise<void>
}

export type FetchHandler = (request: Request, env: unknown) => Response | Promise<Response>

export interface RuntimeAdapter {
  readonly name: 'node' | 'deno'
  serve(fetch: FetchHandler, opts: { host: string; port: number }): Promise<RunningServer>
  /** The peer address of the connection a request came on. */
  clientAddress(c: Context): string
  /** Hono's WebSocket helper for this runtime (`c` must have come through {@link serve}). */
  readonly upgradeWebSocket: UpgradeWebSocket
  /** Bytes sent on a socket and not yet written out: a slow reader's backlog. */
  bufferedAmount(ws: WSContext): number
  /** Cuts a socket at once, without the closing handshake a client that does not read never answers. */
  abort(ws: WSContext): void
}

/** The largest WebSocket frame a runtime accepts at all; a room refuses far smaller ones itself. */
export const webSocketMaxPayload = 64 * 1024
