/**
 * @module testing/temp-node
 * Test support: a real node on a real LevelDB in a temporary folder, listening on a loopback
 * port, with a small client that keeps cookies and the CSRF token like a browser page would.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CodeMessage, CodeSender } from '../accounts/code-sender.js'
import type { NodeConfigInput } from '../config/config.js'
import { startNode, type RunningNode, type StartOptions } from '../server.js'

export interface TempNode {
  node: RunningNode
  dir: string
  /** Codes the node "sent", newest last. */
  sent: Array<{ phone: string; message: CodeMessage }>
  clock: { now: number }
  close(): Promise<void>
}

export async function tempDir(prefix = 'shulin-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

/** `sendMs`: how long the memory sender takes to send a code (as a real SMS gateway would). */
export async function startTempNode(
  config: Partial<NodeConfigInput> = {},
  {
    sendMs = 0,
    ...options
  }: Pick<
    StartOptions,
    'oaiPageSize' | 'opdsPageSize' | 'logger' | 'alertCheckMs' | 'version' | 'liveGraceMs' | 'wechatDeadlineMs' | 'sms'
  > & {
    sendMs?: number
  } = {},
): Promise<TempNode> {
  const dir = config.dataDir ?? (await tempDir())
  const sent: TempNode['sent'] = []
  const sender: CodeSender = {
    name: 'memory',
    async send(to, message) {
      if (sendMs) await new Promise((r) => setTimeout(r, sendMs))
      sent.push({ phone: to.phone, message })
    },
  }
  const clock = { now: Date.now() }
  const node = await startNode(
    { host: '127.0.0.1', port: 0, p2pPort: 0, rtmpPort: 0, logLevel: 'silent', ...config, dataDir: dir },
    { codeSender: sender, print: () => {}, now: () => clock.now, ...options },
  )
  return {
    node,
    dir,
    sent,
    clock,
    async close() {
      await node.close()
      if (!config.dataDir) await rm(dir, { recursive: true, force: true })
    },
  }
}

export interface ClientResponse<T = unknown> {
  status: number
  headers: Headers
  body: T
}

/** A browser-like client over a real socket: keeps the session cookie and sends the CSRF token on writes. */
export class Client {
  cookie: string | undefined
  csrf: string | undefined
  bearer: string | undefined

  constructor(
    readonly baseUrl: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async call<T = any>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<ClientResponse<T>> {
    const headers: Record<string, string> = { ...this.headers, ...extra }
    const raw = body instanceof Uint8Array
    if (body !== undefined && typeof body !== 'string' && !raw) headers['content-type'] ??= 'application/json'
    if (this.cookie) headers.cookie = this.cookie
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] ??= this.csrf
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`
    const res = await fetch(this.baseUrl + path, {
      method,
      headers,
      ...(body !== undefined
        ? { body: raw ? (body as Uint8Array) : typeof body === 'string' ? body : JSON.stringify(body) }
        : {}),
    })
    const setCookie = res.headers.get('set-cookie')
    if (setCookie) {
      const [pair] = setCookie.split(';')
      this.cookie = /=$/.test(pair ?? '') || /Max-Age=0/i.test(setCookie) ? undefined : pair
    }
    const bytes = Buffer.from(await res.arrayBuffer())
    const text = /json|text|xml/.test(res.headers.get('content-type') ?? 'text') ? bytes.toString('utf8') : ''
    let parsed: unknown = text || (bytes.length ? bytes : text)
    try {
      if (text) parsed = JSON.parse(text)
      else if (!bytes.length) parsed = undefined
    } catch {
      /* not JSON */
    }
    const csrf = (parsed as { session?: { csrfToken?: string } } | undefined)?.session?.csrfToken
    if (csrf) this.csrf = csrf
    return { status: res.status, headers: res.headers, body: parsed as T }
  }

  get<T = any>(path: string, extra?: Record<string, string>) {
    return this.call<T>('GET', path, undefined, extra)
  }
  post<T = any>(path: string, body?: unknown, extra?: Record<string, string>) {
    return this.call<T>('POST', path, body, extra)
  }
  put<T = any>(path: string, body?: unknown, extra?: Record<string, string>) {
    return this.call<T>('PUT', path, body, extra)
  }
}

/** Creates the first admin through the setup link and returns a signed-in client. */
export async function signedInAdmin(
  t: TempNode,
  username = 'libadmin',
  password = 'county-library-2026',
): Promise<Client> {
  const token = new URLSearchParams(t.node.setupUrl!.split('#')[1]).get('token')!
  const c = new Client(t.node.url)
  const r = await c.post('/api/setup', { token, username, password })
  if (r.status !== 201) throw new Error(`setup failed: ${JSON.stringify(r.body)}`)
  const login = await c.post('/api/auth/login', { identifier: username, password })
  if (login.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(login.body)}`)
  return c
}
