/**
 * @module runtime/adapter
 * The little a runtime must provide: serve a fetch handler, and say who is calling.
 * `runtime/node.ts` and `runtime/deno.ts` are the only files that know which runtime runs them.
 */
import type { Context } from 'hono'

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
}
