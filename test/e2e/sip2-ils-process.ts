/**
 * @module e2e/sip2-ils-process
 * Starts the SIP2 server written for the tests (sip2-ils.mjs) as its own process on 127.0.0.1
 * and collects the events it reports (connections, logins, requests).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const serverScript = fileURLToPath(new URL('./sip2-ils.mjs', import.meta.url))

export interface Ils {
  child: ChildProcess
  port: number
  events: Array<Record<string, unknown>>
  /**
   * The events of one kind reported from index `from` on. A report comes on the server's
   * stdout and can arrive after the answer on the socket: poll it (`expect.poll`).
   */
  reported(event: string, from?: number): Array<Record<string, unknown>>
}

/** `args`: `['--tls', KEY, CERT]` for a TLS listener. */
export async function startIls(args: string[] = []): Promise<Ils> {
  const child = spawn(process.execPath, [serverScript, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const events: Array<Record<string, unknown>> = []
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the SIP2 server did not start')), 10_000)
    let buf = ''
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (d: string) => {
      buf += d
      for (let nl; (nl = buf.indexOf('\n')) >= 0;) {
        const e = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>
        buf = buf.slice(nl + 1)
        if (typeof e.port === 'number') {
          clearTimeout(timer)
          resolve(e.port)
        } else events.push(e)
      }
    })
  })
  const reported = (event: string, from = 0) => events.slice(from).filter((e) => e.event === event)
  return { child, port, events, reported }
}
