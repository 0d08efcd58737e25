/**
 * @module sip2/client
 * A SIP2 client for the library's ILS: a few TCP (or TLS) connections, each logged in once
 * with 93/94, then asked 63 (or 23) for patrons one request at a time, with sequence numbers
 * and checksums, a time limit on every answer, one 97 resend on a damaged answer, and a fresh
 * connection when one fails. No maintained npm SIP2 client exists; this follows the spec.
 */
import { connect as tcpConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import {
  loginRequest,
  parseFrame,
  patronInformationRequest,
  patronStatusRequest,
  readPatronAnswer,
  resendRequest,
  sealFrame,
  Sip2ChecksumError,
  type PatronAnswer,
  type Sip2Frame,
} from './message.js'
import type { Sip2Settings } from './url.js'

/** The ILS could not give an answer: down, too slow, refused our login, or spoke garbage. */
export class Sip2Unavailable extends Error {
  override readonly name = 'Sip2Unavailable'
  constructor(
    message: string,
    /** The ILS said nothing in time: asking again at once would only wait again. */
    readonly timedOut = false,
  ) {
    super(message)
  }
}

export interface Sip2ClientOptions {
  settings: Sip2Settings
  /** Milliseconds to wait for a connection or an answer. @default 5000 */
  timeoutMs?: number
  /** Connections kept open at most. @default 2 */
  poolSize?: number
  /** 63 Patron Information (default) or 23 Patron Status, for ILSs that only answer that. */
  patronMessage?: '63' | '23'
  /** For TLS to an ILS with its own CA. */
  ca?: string | Buffer | undefined
  now?: () => Date
}

/** Largest answer read: a 64 with every optional field is a few kilobytes. */
const maxFrameBytes = 64 * 1024

/** One logged-in connection; asks one question at a time. */
class Sip2Connection {
  #buffer = ''
  #waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | null = null
  #failed: Error | null = null
  #sequence = 0

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk
      if (this.#buffer.length > maxFrameBytes) return this.#fail(new Sip2Unavailable('answer too long'))
      this.#deliver()
    })
    socket.on('error', (err) => this.#fail(new Sip2Unavailable(`connection failed: ${err.message}`)))
    socket.on('close', () => this.#fail(new Sip2Unavailable('the ILS closed the connection')))
  }

  static async open(opts: Required<Pick<Sip2ClientOptions, 'timeoutMs'>> & Sip2ClientOptions): Promise<Sip2Connection> {
    const { host, port, tls } = opts.settings
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = tls // SNI carries names only (RFC 6066); an address is checked against the certificate all the same.
        ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(opts.ca ? { ca: opts.ca } : {}) })
        : tcpConnect({ host, port })
      const timer = setTimeout(() => {
        s.destroy()
        reject(new Sip2Unavailable(`no connection to ${host}:${port} within ${opts.timeoutMs} ms`, true))
      }, opts.timeoutMs)
      s.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer)
        s.removeAllListeners('error')
        resolve(s)
      })
      s.once('error', (err) => {
        clearTimeout(timer)
        s.destroy()
        reject(new Sip2Unavailable(`no connection to ${host}:${port}: ${err.message}`))
      })
    })
    const conn = new Sip2Connection(socket)
    try {
      const answer = await conn.ask(
        loginRequest({ user: opts.settings.user, password: opts.settings.password, location: opts.settings.location }),
        opts.timeoutMs,
      )
      if (answer.command !== '94') throw new Sip2Unavailable(`the ILS answered the login with ${answer.command}`)
      if (answer.fixed !== '1') throw new Sip2Unavailable('the ILS refused the node’s SIP2 login (94 ok = 0)')
    } catch (err) {
      conn.close()
      throw err
    }
    return conn
  }

  get usable(): boolean {
    return this.#failed === null
  }

  #fail(err: Error): void {
    this.#failed ??= err
    this.socket.destroy()
    const w = this.#waiting
    this.#waiting = null
    w?.reject(this.#failed)
  }

  #deliver(): void {
    const end = this.#buffer.indexOf('\r')
    if (end < 0 || !this.#waiting) return
    const line = this.#buffer.slice(0, end)
    this.#buffer = this.#buffer.slice(end + 1).replace(/^\n/, '')
    const w = this.#waiting
    this.#waiting = null
    w.resolve(line)
  }

  #read(timeoutMs: number): Promise<string> {
    if (this.#failed) return Promise.reject(this.#failed)
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(new Sip2Unavailable(`no answer within ${timeoutMs} ms`, true)),
        timeoutMs,
      )
      this.#waiting = {
        resolve: (line) => {
          clearTimeout(timer)
          resolve(line)
        },
        reject: (err) => {
          clearTimeout(timer)
          reject(err)
        },
      }
      this.#deliver()
    })
  }

  /**
   * Sends one request and reads its answer. A damaged answer (bad checksum) is asked for once
   * more with 97; an answer to another sequence number, or a second damaged one, ends the
   * connection — it can no longer be trusted to pair questions with answers.
   */
  async ask(body: string, timeoutMs: number): Promise<Sip2Frame> {
    if (this.#failed) throw this.#failed
    const sequence = this.#sequence
    this.#sequence = (this.#sequence + 1) % 10
    this.socket.write(sealFrame(body, sequence), 'utf8')
    for (let attempt = 0; ; attempt++) {
      const line = await this.#read(timeoutMs)
      let frame: Sip2Frame
      try {
        frame = parseFrame(line)
      } catch (err) {
        if (err instanceof Sip2ChecksumError && attempt === 0) {
          this.socket.write(resendRequest, 'utf8')
          continue
        }
        const why = err instanceof Error ? err.message : String(err)
        this.#fail(new Sip2Unavailable(`the ILS's answer could not be read: ${why}`))
        throw this.#failed
      }
      if (frame.command === '96') {
        // The ILS could not read our request: send it again, once.
        if (attempt === 0) {
          this.socket.write(sealFrame(body, sequence), 'utf8')
          continue
        }
        this.#fail(new Sip2Unavailable('the ILS could not read the request twice (96)'))
        throw this.#failed
      }
      if (frame.sequence !== undefined && frame.sequence !== sequence) {
        this.#fail(new Sip2Unavailable(`answer to sequence ${frame.sequence}, expected ${sequence}`))
        throw this.#failed
      }
      return frame
    }
  }

  close(): void {
    this.#failed ??= new Sip2Unavailable('closed')
    this.socket.destroy()
  }
}

/**
 * The node's SIP2 client: a small pool of logged-in connections, opened when first needed and
 * replaced when one fails.
 * @example
 * const ils = new Sip2Client({ settings })
 * const patron = await ils.patron('23000001', '1234')
 */
export class Sip2Client {
  readonly #opts: Required<Pick<Sip2ClientOptions, 'timeoutMs' | 'poolSize' | 'patronMessage'>> & Sip2ClientOptions
  readonly #idle: Sip2Connection[] = []
  readonly #queue: Array<(conn: Sip2Connection | null) => void> = []
  #open = 0
  #closed = false

  constructor(opts: Sip2ClientOptions) {
    this.#opts = { timeoutMs: 5000, poolSize: 2, patronMessage: '63', ...opts }
  }

  /** Asks the ILS about a patron with their PIN. Throws {@link Sip2Unavailable} when it cannot. */
  async patron(patron: string, pin: string): Promise<PatronAnswer> {
    const s = this.#opts.settings
    const at = (this.#opts.now ?? (() => new Date()))()
    const body =
      this.#opts.patronMessage === '23'
        ? patronStatusRequest({ institution: s.institution, patron, pin, at })
        : patronInformationRequest({ institution: s.institution, patron, pin, at })
    const frame = await this.#withConnection((conn) => conn.ask(body, this.#opts.timeoutMs))
    try {
      return readPatronAnswer(frame)
    } catch (err) {
      throw new Sip2Unavailable(`the ILS's answer could not be read: ${(err as Error).message}`)
    }
  }

  /** Makes sure a logged-in connection can be had (opens one when none is idle). */
  async login(): Promise<void> {
    await this.#withConnection(async () => undefined)
  }

  /**
   * Runs `work` on a logged-in connection. A connection kept from earlier may have been closed
   * by the ILS meanwhile (many close idle ones): its failure is retried once on a new one.
   */
  async #withConnection<T>(work: (conn: Sip2Connection) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { conn, reused } = await this.#acquire()
      try {
        const out = await work(conn)
        this.#release(conn)
        return out
      } catch (err) {
        this.#release(conn)
        if (reused && attempt === 0 && err instanceof Sip2Unavailable && !err.timedOut) continue
        throw err
      }
    }
  }

  async #acquire(): Promise<{ conn: Sip2Connection; reused: boolean }> {
    if (this.#closed) throw new Sip2Unavailable('the SIP2 client is closed')
    for (;;) {
      const idle = this.#idle.pop()
      if (!idle) break
      if (idle.usable) return { conn: idle, reused: true }
      this.#open -= 1
    }
    if (this.#open < this.#opts.poolSize) {
      this.#open += 1
      try {
        return { conn: await Sip2Connection.open(this.#opts), reused: false }
      } catch (err) {
        this.#open -= 1
        this.#wakeOne()
        throw err
      }
    }
    const conn = await new Promise<Sip2Connection | null>((resolve) => this.#queue.push(resolve))
    if (conn) return { conn, reused: true }
    return this.#acquire()
  }

  #release(conn: Sip2Connection): void {
    if (!conn.usable || this.#closed) {
      conn.close()
      this.#open -= 1
      this.#wakeOne()
      return
    }
    const next = this.#queue.shift()
    if (next) next(conn)
    else this.#idle.push(conn)
  }

  /** A waiter gets a slot to open a new connection in. */
  #wakeOne(): void {
    this.#queue.shift()?.(null)
  }

  /** Connections open now (for tests and the health page). */
  get openConnections(): number {
    return this.#open
  }

  close(): void {
    this.#closed = true
    for (const c of this.#idle.splice(0)) c.close()
    this.#open = 0
    for (const w of this.#queue.splice(0)) w(null)
  }
}
