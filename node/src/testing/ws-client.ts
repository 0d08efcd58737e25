/**
 * @module testing/ws-client
 * Test support: a real WebSocket client (the `ws` package; Node 20 has no global WebSocket) of
 * a live lecture's room, keeping every message it receives and waiting for the ones a test
 * expects, each wait bounded.
 */
import WebSocket from 'ws'
import type { RoomServerMessage } from '@shulin/protocol'

export interface RoomConnection {
  ws: WebSocket
  received: RoomServerMessage[]
  /** Sends a value as JSON, or a string / buffer as it is. */
  send(msg: unknown): void
  /** The first message (from the start, or after `from`) that matches; fails after `ms`. */
  next<T extends RoomServerMessage['type']>(
    type: T,
    pred?: (m: Extract<RoomServerMessage, { type: T }>) => boolean,
    opts?: { ms?: number; from?: number },
  ): Promise<Extract<RoomServerMessage, { type: T }>>
  closed: Promise<{ code: number; reason: string }>
  close(): void
}

/** Opens a room connection; rejects with the HTTP status when the upgrade is refused. */
export function connectRoom(
  url: string,
  headers: Record<string, string> = {},
  opts: { maxPayload?: number } = {},
): Promise<RoomConnection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, ...(opts.maxPayload ? { maxPayload: opts.maxPayload } : {}) })
    const received: RoomServerMessage[] = []
    const waiters = new Set<() => void>()
    ws.on('message', (data) => {
      received.push(JSON.parse(String(data)) as RoomServerMessage)
      for (const w of waiters) w()
    })
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      ws.on('close', (code, reason) => done({ code, reason: String(reason) })),
    )
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }))
      ws.terminate()
    })
    ws.once('error', reject)
    ws.once('open', () =>
      resolve({
        ws,
        received,
        closed,
        send: (msg) => ws.send(typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg)),
        next(type, pred, { ms = 5_000, from = 0 } = {}) {
          type M = Extract<RoomServerMessage, { type: typeof type }>
          const find = () =>
            received.slice(from).find((m): m is M => m.type === type && (!pred || pred(m as never))) as M | undefined
          return new Promise((done, fail) => {
            const found = find()
            if (found) return done(found as never)
            const timer = setTimeout(() => {
              waiters.delete(check)
              const tail = received
                .slice(Math.max(from, received.length - 5))
                .map((m) => JSON.stringify(m).slice(0, 200))
              fail(
                new Error(
                  `no ${type} within ${ms} ms; ${received.length - from} received, the last: ${tail.join(' ')}`,
                ),
              )
            }, ms)
            const check = () => {
              const m = find()
              if (!m) return
              clearTimeout(timer)
              waiters.delete(check)
              done(m as never)
            }
            waiters.add(check)
          })
        },
        close: () => ws.close(),
      }),
    )
  })
}
