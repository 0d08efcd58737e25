/**
 * @module harvest/oai-client
 * The harvester's side of OAI-PMH 2.0: one request at a time with a timeout and retries, the
 * answer checked to be well-formed XML and an OAI-PMH response before anything in it is used.
 * Records come back as their header (identifier, datestamp, deleted or not) and the metadata
 * element's XML, which the format's reader (harvest/records.ts) turns into a record.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'

export type OaiNode = { [name: string]: OaiNode[] | string | undefined } & { ':@'?: Record<string, string> }

/** A failure of the repository or of its answer, in words an operator can act on. */
export class HarvestError extends Error {
  override readonly name = 'HarvestError'
  constructor(
    message: string,
    /** The repository answered; asking again will not help. */
    readonly permanent = false,
  ) {
    super(message)
  }
}

export interface OaiClientOptions {
  /** @default 30000 */
  timeoutMs?: number
  /** Attempts per request for network failures and 5xx/429 answers. @default 3 */
  attempts?: number
  /** Wait before the second attempt, doubled after each. @default 1000 */
  retryDelayMs?: number
  /** An answer larger than this is refused. @default 64 MiB */
  maxBytes?: number
}

export interface OaiRecord {
  identifier: string
  datestamp: string
  deleted: boolean
  /** The children of `<metadata>` (absent for a deleted record). */
  metadata?: OaiNode[] | undefined
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
})

export const nameOf = (n: OaiNode): string => Object.keys(n).find((k) => k !== ':@') ?? ''
export const childrenOf = (n: OaiNode): OaiNode[] => {
  const c = n[nameOf(n)]
  return Array.isArray(c) ? c : []
}
export const textOf = (n: OaiNode): string =>
  childrenOf(n)
    .map((c) => (typeof c['#text'] === 'string' ? c['#text'] : ''))
    .join('')
    .trim()
export const child = (n: OaiNode, name: string) => childrenOf(n).find((c) => nameOf(c) === name)
/** The text of the first child element so named ('' when there is none). */
export const childText = (n: OaiNode, name: string): string => {
  const c = child(n, name)
  return c ? textOf(c) : ''
}

const tooLarge = (max: number) => new HarvestError(`the answer is larger than ${max} bytes`, true)

/** The body as text, stopping at `max` bytes rather than holding whatever a repository sends. */
async function readCapped(res: Response, max: number): Promise<string> {
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel()
    throw tooLarge(max)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of res.body ?? []) {
    size += chunk.length
    if (size > max) throw tooLarge(max)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export class OaiClient {
  readonly #base: string
  readonly #o: Required<OaiClientOptions>

  constructor(baseUrl: string, opts: OaiClientOptions = {}) {
    this.#base = baseUrl
    this.#o = { timeoutMs: 30_000, attempts: 3, retryDelayMs: 1000, maxBytes: 64 * 1024 * 1024, ...opts }
  }

  /**
   * The verb's element (`<Identify>`, `<ListRecords>` …; an empty one for `noRecordsMatch`), with
   * the response's `responseDate` as an attribute. @throws HarvestError
   */
  async request(params: Record<string, string>): Promise<OaiNode> {
    const xml = await this.#fetch(params)
    if (/<!(?:DOCTYPE|ENTITY)/i.test(xml))
      throw new HarvestError('the answer declares a DTD or entities, which OAI-PMH never does', true)
    const valid = XMLValidator.validate(xml)
    if (valid !== true)
      throw new HarvestError(`malformed XML from the repository: ${valid.err.msg} (line ${valid.err.line})`, true)
    const root = (parser.parse(xml) as OaiNode[]).find((n) => nameOf(n) === 'OAI-PMH')
    if (!root) throw new HarvestError('the answer is XML but not an OAI-PMH response', true)
    const verb = params.verb ?? ''
    const responseDate = childText(root, 'responseDate')
    const error = child(root, 'error')
    if (error) {
      const code = error[':@']?.code ?? 'unknown'
      // An empty list, not a failure: its responseDate still moves the next `from` on.
      if (code === 'noRecordsMatch') return { [verb]: [], ':@': { responseDate } } as OaiNode
      throw new HarvestError(`the repository answered ${code}: ${textOf(error) || '(no message)'}`, true)
    }
    const body = child(root, verb)
    if (!body) throw new HarvestError(`the answer has no <${verb}> element`, true)
    body[':@'] = { ...(body[':@'] ?? {}), responseDate }
    return body
  }

  async #fetch(params: Record<string, string>): Promise<string> {
    const url = `${this.#base}${this.#base.includes('?') ? '&' : '?'}${new URLSearchParams(params)}`
    let last: unknown
    for (let attempt = 1; attempt <= this.#o.attempts; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, this.#o.retryDelayMs * 2 ** (attempt - 2)))
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(this.#o.timeoutMs), redirect: 'follow' })
        if (res.status >= 500 || res.status === 429) {
          last = new HarvestError(`HTTP ${res.status} from ${this.#base}`)
          await res.body?.cancel()
          continue
        }
        if (!res.ok) throw new HarvestError(`HTTP ${res.status} from ${this.#base}`, true)
        return await readCapped(res, this.#o.maxBytes)
      } catch (err) {
        if (err instanceof HarvestError && err.permanent) throw err
        last = err
      }
    }
    const why = last instanceof Error ? (last.name === 'TimeoutError' ? 'timed out' : last.message) : String(last)
    throw new HarvestError(`${this.#base} did not answer after ${this.#o.attempts} attempts: ${why}`)
  }
}

/** The records and the resumption token of one `ListRecords` page. */
export function readListRecords(body: OaiNode): { records: OaiRecord[]; token: string | undefined } {
  const records: OaiRecord[] = []
  let token: string | undefined
  for (const n of childrenOf(body)) {
    const name = nameOf(n)
    if (name === 'resumptionToken') token = textOf(n) || undefined
    if (name !== 'record') continue
    const header = child(n, 'header')
    const identifier = header && childText(header, 'identifier')
    if (!header || !identifier) throw new HarvestError('a record without a header identifier', true)
    const metadata = child(n, 'metadata')
    records.push({
      identifier,
      datestamp: childText(header, 'datestamp'),
      deleted: header[':@']?.status === 'deleted',
      metadata: metadata ? childrenOf(metadata) : undefined,
    })
  }
  return { records, token }
}
