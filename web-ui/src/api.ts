/**
 * @module api
 * Talks to the node: JSON in and out, the session cookie (sent by the browser) and its CSRF
 * token on writes, the reader's language for server messages. A failure becomes an
 * {@link ApiError} whose message is the server's RFC 9457 title (already in the reader's
 * language) or a network message — never a raw stack.
 */
import type { MeResponse, SessionState } from '@shulin/protocol'
import { locale, t } from './i18n/index.js'

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly fields: Array<{ pointer: string; detail: string }> = [],
    /** The problem's `retryAfterSeconds` (429s), so a page can say when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** JSON text, or undefined when it is empty or not JSON. */
function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}

/** The error for a failed answer: the server's RFC 9457 title and field errors when it sent them. */
function problemError(status: number, body: unknown): ApiError {
  const p = (body ?? {}) as {
    title?: string
    code?: string
    errors?: Array<{ pointer: string; detail: string }>
    retryAfterSeconds?: number
  }
  return new ApiError(
    p.title ?? t('errorGeneric', { message: `HTTP ${status}` }),
    status,
    p.code ?? 'http',
    p.errors ?? [],
    typeof p.retryAfterSeconds === 'number' ? p.retryAfterSeconds : undefined,
  )
}

let csrf: string | undefined
let me: MeResponse | null | undefined

export const session = {
  get current(): MeResponse | null {
    return me ?? null
  },
  get known(): boolean {
    return me !== undefined
  },
  isStaff(): boolean {
    return !!me && me.account.roles.length > 0
  },
  /**
   * Whether the account may use the node's routes of this access, as the node decides it
   * (`staff` = admin or librarian; `moderator` = staff or the moderator role; `judge` = admin or
   * the judge role): the console shows each account only what it can use.
   */
  may(access: 'staff' | 'moderator' | 'judge' | 'admin'): boolean {
    const roles: readonly string[] = me?.account.roles ?? []
    const staff = roles.includes('admin') || roles.includes('librarian')
    if (access === 'staff') return staff
    if (access === 'moderator') return staff || roles.includes('moderator')
    if (access === 'judge') return roles.includes('admin') || roles.includes('judge')
    return roles.includes('admin')
  },
  set(next: MeResponse | null): void {
    me = next
    csrf = next?.session.csrfToken
    window.dispatchEvent(new Event('session-changed'))
  },
}

interface Options {
  method?: string
  body?: unknown
  /** A raw body (file upload) with its type. */
  raw?: { data: Blob; type: string }
  signal?: AbortSignal
  /** Extra request headers (`If-Match` for edits). */
  headers?: Record<string, string>
}

/** The ETag of a record or collection the node gave out: its revision. */
export const ifMatch = (revision: number): Record<string, string> => ({ 'if-match': `"r${revision}"` })

export async function api<T>(path: string, opts: Options = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': locale(), ...opts.headers }
  const method = opts.method ?? (opts.body !== undefined ? 'POST' : 'GET')
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf
  let body: BodyInit | undefined
  if (opts.raw) {
    headers['content-type'] = opts.raw.type
    body = opts.raw.data
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  let res: Response
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(t('errorNetwork'), 0, 'network')
  }
  const json = parseJson(await res.text())
  if (!res.ok) throw problemError(res.status, json)
  return json as T
}

/** Restores the session at start (signed out, or the node unreachable: no session). */
export async function loadSession(): Promise<void> {
  try {
    // `/api/session` answers a visitor with a 200, where `/api/me`'s 401 is a console error in every browser.
    const state = await api<SessionState>('/api/session')
    session.set(state.signedIn ? { account: state.account, session: state.session } : null)
  } catch {
    session.set(null)
  }
}

/** Uploads with progress (fetch cannot report upload progress; XMLHttpRequest can). */
export function upload<T>(
  path: string,
  file: Blob,
  type: string,
  onProgress: (fraction: number) => void,
  method: 'PUT' | 'POST' = 'PUT',
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open(method, path)
    xhr.setRequestHeader('content-type', type)
    xhr.setRequestHeader('accept-language', locale())
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf)
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onerror = () => reject(new ApiError(t('errorNetwork'), 0, 'network'))
    xhr.onload = () => {
      const json = parseJson(xhr.responseText)
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as T)
      else reject(problemError(xhr.status, json))
    }
    xhr.send(file)
  })
}

/**
 * Posts a multipart form (a recording with its title) with upload progress. The browser writes
 * the multipart boundary itself, so no content type is set here.
 */
export function postForm<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    xhr.setRequestHeader('accept', 'application/json')
    xhr.setRequestHeader('accept-language', locale())
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf)
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onerror = () => reject(new ApiError(t('errorNetwork'), 0, 'network'))
    xhr.onload = () => {
      const json = parseJson(xhr.responseText)
      if (xhr.status >= 200 && xhr.status < 300) resolve(json as T)
      else reject(problemError(xhr.status, json))
    }
    xhr.send(form)
  })
}
