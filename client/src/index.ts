/**
 * @module @shulin/client
 * A typed client for the public JSON API of a Shulin node: open courses, lectures, their
 * transcripts, search and suggestions — what a library's own site needs to show the node's
 * courses (the `<shulin-course>`, `<shulin-player>` and `<shulin-search>` embeds are built on
 * it). It runs wherever `fetch` does (browsers, Deno, Node ≥ 20, workers) and sends no
 * credentials: it reads what any visitor may read, which is also what the node lets other
 * sites read (CORS `*`).
 *
 * The answers' types come from `@shulin/protocol`, the same declarations the node answers
 * with. Only types are imported, so a page that bundles this client carries no schema code;
 * the client trusts the node it was pointed at and does not re-validate its answers.
 *
 * @example
 * ```ts
 * import { ShulinClient } from '@shulin/client'
 * const node = new ShulinClient({ node: 'https://lib.example.cn' })
 * const { courses } = await node.courses()
 * const course = await node.course(courses[0].id)
 * const hits = await node.search('杨柳岸晓风残月', { type: ['lecture'] })
 * hits.hits[0]?.t // the second the sentence is said
 * ```
 */
import type {
  CourseDetail,
  CourseList,
  LectureView,
  Problem,
  ResourceType,
  SearchResponse,
  SuggestResponse,
  Transcript,
} from '@shulin/protocol'

export type {
  CourseDetail,
  CourseList,
  CourseSummary,
  LectureView,
  Problem,
  ResourceType,
  SearchHit,
  SearchResponse,
  Suggestion,
  SuggestResponse,
  Transcript,
} from '@shulin/protocol'

export interface ClientOptions {
  /** The node's origin (`https://lib.example.cn`); a path after it is kept (a node behind a prefix). */
  node: string
  /** `Accept-Language` for the node's messages (`zh-CN` by default on the node). */
  lang?: string
  /** Another fetch (tests, a proxy); the global one by default. */
  fetch?: typeof fetch
  /** Give up on a request after this long (ms); 20 s by default. */
  timeoutMs?: number
}

/** A refused or failed request: the node's RFC 9457 problem when it sent one. */
export class ShulinError extends Error {
  override readonly name = 'ShulinError'
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
    message: string,
  ) {
    super(message)
  }
}

export interface SearchOptions {
  type?: ResourceType[]
  subject?: string[]
  language?: string[]
  limit?: number
  offset?: number
  sort?: 'relevance' | 'newest' | 'oldest' | 'year' | '-year' | 'title'
  /** Count facet values (on by default on the node; off is cheaper). */
  facets?: boolean
}

export class ShulinClient {
  /** The node's base URL, without a trailing slash. */
  readonly node: string
  readonly #fetch: typeof fetch
  readonly #lang: string | undefined
  readonly #timeoutMs: number

  constructor(opts: ClientOptions) {
    const url = new URL(opts.node)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`not a web address: ${opts.node}`)
    this.node = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
    // Bound to globalThis: some browsers refuse a fetch called as a method of another object.
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.#lang = opts.lang
    this.#timeoutMs = opts.timeoutMs ?? 20_000
  }

  /** GETs a JSON answer of the node; `path` starts with `/api/`. */
  async get<T>(path: string, query: Record<string, string | number | boolean | string[] | undefined> = {}): Promise<T> {
    const url = new URL(this.node + path)
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || (Array.isArray(v) && !v.length)) continue
      url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v))
    }
    return this.#call<T>(url, { method: 'GET' })
  }

  async #call<T>(url: URL, init: RequestInit): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...(init.headers as Record<string, string>) }
    if (this.#lang) headers['accept-language'] = this.#lang
    let res: Response
    try {
      res = await this.#fetch(url, {
        ...init,
        headers,
        // Never the visitor's cookies for the node: a page elsewhere reads only what is public.
        credentials: 'omit',
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
    } catch (err) {
      throw new ShulinError(0, undefined, `${url.origin} did not answer: ${(err as Error).message}`)
    }
    if (res.status === 202 || res.status === 204)
      return (res.headers.get('content-type')?.includes('json') ? await res.json() : undefined) as T
    const type = res.headers.get('content-type') ?? ''
    const body: unknown = type.includes('json') ? await res.json().catch(() => undefined) : undefined
    if (!res.ok) {
      const problem = body && typeof body === 'object' ? (body as Partial<Problem>) : undefined
      throw new ShulinError(res.status, problem, problem?.detail ?? problem?.title ?? `${res.status} ${res.statusText}`)
    }
    if (body === undefined) throw new ShulinError(res.status, undefined, `${url.pathname} did not answer JSON`)
    return body as T
  }

  /** `GET /api/courses`: published courses, newest first. */
  courses(opts: { limit?: number } = {}): Promise<CourseList> {
    return this.get('/api/courses', { limit: opts.limit })
  }

  /** `GET /api/courses/:id`: a course with its published lectures in order. */
  course(id: string): Promise<CourseDetail> {
    return this.get(`/api/courses/${encodeURIComponent(id)}`)
  }

  /** `GET /api/lectures/:id`: a lecture's status, playlists, poster, subtitles and chapters. */
  lecture(id: string): Promise<LectureView> {
    return this.get(`/api/lectures/${encodeURIComponent(id)}`)
  }

  /** `GET /api/lectures/:id/transcript`: the cues of a subtitle track (the first, or `lang`). */
  transcript(id: string, lang?: string): Promise<Transcript> {
    return this.get(`/api/lectures/${encodeURIComponent(id)}/transcript`, { lang })
  }

  /** `GET /api/search`: published records; a lecture hit found by its transcript has `t` (seconds). */
  search(q: string, opts: SearchOptions = {}): Promise<SearchResponse> {
    return this.get('/api/search', { q, ...opts })
  }

  /** `GET /api/search/suggest`: titles and names that start with what was typed. */
  suggest(q: string, limit?: number): Promise<SuggestResponse> {
    return this.get('/api/search/suggest', { q, limit })
  }

  /** The player page's address for a lecture on the node, at a second (what a search hit links to). */
  lectureUrl(id: string, t?: number): string {
    return `${this.node}/lectures/${encodeURIComponent(id)}${t !== undefined ? `?t=${Math.floor(t)}` : ''}`
  }

  /** Where a player reports seconds watched of a lecture (`<shulin-player watched-url>`). */
  watchedUrl(id: string): string {
    return `${this.node}/api/lectures/${encodeURIComponent(id)}/watched`
  }

  /** `POST /api/lectures/:id/watched`: reports seconds played (1…600) for the node's statistics. */
  async watched(id: string, seconds: number): Promise<{ counted: number }> {
    return this.#call(new URL(this.watchedUrl(id)), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds }),
      keepalive: true,
    })
  }
}
