/**
 * @module oai/oai-pmh
 * OAI-PMH 2.0 at `/oai` (GET and POST): the six verbs over `oai_dc`, sets by type
 * (`type:book`) and by topic (`topic:<id>`), selective harvesting by datestamp, stateless
 * resumption tokens, and persistent deletions — a withdrawn or deleted record stays listed
 * with `status="deleted"`. Only records that were ever published are exposed; drafts never.
 * Every error is the protocol's own code in a 200 answer, as the protocol requires.
 */
import type { Context, Hono } from 'hono'
import { ResourceType, type Resource } from '@shulin/protocol'
import type { AppEnv } from '../http/env.js'
import type { BaseUrl } from '../http/base-url.js'
import type { ResourceService } from '../resources/service.js'
import type { Tombstone } from '../resources/store.js'
import { changeCursor } from '../resources/store.js'
import type { CollectionService } from '../collections/service.js'
import { el, xmlText } from '../xml/escape.js'
import { datestamp, parseOaiDate } from './dates.js'
import { decodeToken, encodeToken, type ResumptionState } from './tokens.js'
import { oaiDc } from './oai-dc.js'

export interface OaiPmhDeps {
  resources: ResourceService
  collections: CollectionService
  nodeId: string
  repositoryName: () => string
  adminEmail: string
  baseUrl: BaseUrl
  now: () => number
  /** Records per page of a list answer. */
  pageSize?: number | undefined
}

type ErrorCode =
  | 'badArgument'
  | 'badResumptionToken'
  | 'badVerb'
  | 'cannotDisseminateFormat'
  | 'idDoesNotExist'
  | 'noMetadataFormats'
  | 'noRecordsMatch'
  | 'noSetHierarchy'
class OaiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
  }
}

const verbs = {
  Identify: { required: [], optional: [] },
  ListMetadataFormats: { required: [], optional: ['identifier'] },
  ListSets: { required: [], optional: [] },
  ListIdentifiers: { required: ['metadataPrefix'], optional: ['from', 'until', 'set'] },
  ListRecords: { required: ['metadataPrefix'], optional: ['from', 'until', 'set'] },
  GetRecord: { required: ['identifier', 'metadataPrefix'], optional: [] },
} as const
type Verb = keyof typeof verbs
const isVerb = (v: string | undefined): v is Verb => !!v && Object.hasOwn(verbs, v)
/** Verbs that page (a resumptionToken is their only argument when given). */
const exclusiveToken = new Set<Verb>(['ListIdentifiers', 'ListRecords', 'ListSets'])

const setSpecRe = /^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$/
const isTombstone = (x: Resource | Tombstone): x is Tombstone => 'deletedAt' in x
const itemKey = (x: Resource | Tombstone) => (isTombstone(x) ? `${x.deletedAt}!${x.id}` : changeCursor(x))

/** Arguments of a GET query or a POSTed form, each name once at most. */
async function readArgs(c: Context): Promise<Map<string, string[]>> {
  const params = c.req.method === 'POST' ? new URLSearchParams(await c.req.text()) : new URL(c.req.url).searchParams
  const out = new Map<string, string[]>()
  for (const [k, v] of params) out.set(k, [...(out.get(k) ?? []), v])
  return out
}

export function oaiPmhRoutes(app: Hono<AppEnv>, deps: OaiPmhDeps): void {
  const pageSize = deps.pageSize ?? 100
  // Stable whatever URL the node is reached at: a harvester keys records by identifier.
  const repositoryId = `shulin.${deps.nodeId.toLowerCase()}`
  const oaiId = (id: string) => `oai:${repositoryId}:${id}`
  const localId = (identifier: string) =>
    identifier.startsWith(`oai:${repositoryId}:`) ? identifier.slice(repositoryId.length + 5) : undefined

  /** resourceId → topic set specs, computed once per request. */
  const topicSets = async () => {
    const map = new Map<string, string[]>()
    for (const t of await deps.collections.list('topic'))
      for (const id of t.items) map.set(id, [...(map.get(id) ?? []), `topic:${t.id}`])
    return map
  }

  const header = (x: Resource | Tombstone, topics: Map<string, string[]>) => {
    const deleted = isTombstone(x) || x.status !== 'published'
    const stamp = datestamp(isTombstone(x) ? x.deletedAt : x.updatedAt)
    const sets = [`type:${x.type}`, ...(topics.get(x.id) ?? [])]
    return `<header${deleted ? ' status="deleted"' : ''}>${el('identifier', {}, oaiId(x.id))}${el('datestamp', {}, stamp)}${sets.map((s) => el('setSpec', {}, s)).join('')}</header>`
  }
  const record = (c: Context, x: Resource | Tombstone, topics: Map<string, string[]>) => {
    const deleted = isTombstone(x) || x.status !== 'published'
    return `<record>${header(x, topics)}${deleted ? '' : `<metadata>${oaiDc(x as Resource, `${deps.baseUrl(c)}/share/${x.id}`)}</metadata>`}</record>`
  }
  /** Ever published (withdrawn ones show as deleted); drafts are not the public's business. */
  const exposed = (x: Resource | Tombstone) => isTombstone(x) || x.publishedAt !== null

  async function list(
    c: Context,
    verb: 'ListIdentifiers' | 'ListRecords',
    q: Omit<ResumptionState, 'after' | 'cursor' | 'v' | 'verb'> & { after?: string; cursor: number },
  ): Promise<string> {
    const topics = await topicSets()
    let inSet: (x: Resource | Tombstone) => boolean = () => true
    if (q.set) {
      const [kind, value] = q.set.split(':') as [string, string | undefined]
      if (kind === 'type' && value && ResourceType.safeParse(value).success) inSet = (x) => x.type === value
      else if (kind === 'topic' && value) {
        const topic = (await deps.collections.list('topic')).find((t) => t.id === value)
        const members = new Set(topic?.items ?? [])
        inSet = (x) => members.has(x.id)
      } else inSet = () => false
    }
    const items: Array<Resource | Tombstone> = []
    let more = false
    const range = {
      ...(q.after ? { after: q.after } : q.from ? { from: q.from } : {}),
      ...(q.until ? { until: q.until } : {}),
    }
    for await (const x of deps.resources.records.changesSince(range)) {
      if (!exposed(x) || !inSet(x)) continue
      if (items.length === pageSize) {
        more = true
        break
      }
      items.push(x)
    }
    if (!items.length && q.cursor === 0) throw new OaiError('noRecordsMatch', 'no records match the request')
    const body = items.map((x) => (verb === 'ListRecords' ? record(c, x, topics) : header(x, topics))).join('')
    const next: ResumptionState | undefined = more
      ? {
          v: 1,
          verb,
          metadataPrefix: 'oai_dc',
          ...(q.set ? { set: q.set } : {}),
          ...(q.from ? { from: q.from } : {}),
          ...(q.until ? { until: q.until } : {}),
          after: itemKey(items[items.length - 1]!),
          cursor: q.cursor + items.length,
        }
      : undefined
    // The last page of a resumed list carries an empty token, as the protocol asks.
    const token = next
      ? el('resumptionToken', { cursor: q.cursor }, encodeToken(next))
      : q.cursor > 0
        ? el('resumptionToken', { cursor: q.cursor })
        : ''
    return `<${verb}>${body}${token}</${verb}>`
  }

  async function answer(c: Context, verb: Verb, args: Map<string, string>): Promise<string> {
    switch (verb) {
      case 'Identify': {
        const earliest = (await deps.resources.records.earliestChange()) ?? new Date(deps.now()).toISOString()
        return (
          '<Identify>' +
          el('repositoryName', {}, deps.repositoryName()) +
          el('baseURL', {}, `${deps.baseUrl(c)}/oai`) +
          el('protocolVersion', {}, '2.0') +
          el('adminEmail', {}, deps.adminEmail) +
          el('earliestDatestamp', {}, datestamp(earliest)) +
          el('deletedRecord', {}, 'persistent') +
          el('granularity', {}, 'YYYY-MM-DDThh:mm:ssZ') +
          '</Identify>'
        )
      }
      case 'ListMetadataFormats': {
        const identifier = args.get('identifier')
        if (identifier !== undefined) await findItem(identifier)
        return (
          '<ListMetadataFormats><metadataFormat>' +
          el('metadataPrefix', {}, 'oai_dc') +
          el('schema', {}, 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd') +
          el('metadataNamespace', {}, 'http://www.openarchives.org/OAI/2.0/oai_dc/') +
          '</metadataFormat></ListMetadataFormats>'
        )
      }
      case 'ListSets': {
        if (args.has('resumptionToken')) throw new OaiError('badResumptionToken', 'ListSets answers in one page')
        const typeNames: Record<string, string> = {
          book: '图书 Books',
          audiobook: '有声书 Audiobooks',
          journal: '期刊 Journals',
          'journal-issue': '期刊各期 Journal issues',
          article: '文章 Articles',
          'image-set': '图集 Image sets',
          video: '视频 Video',
        }
        const sets = [
          ...ResourceType.options.map((t) => ({ spec: `type:${t}`, name: typeNames[t] ?? t })),
          ...(await deps.collections.listVisible('topic')).map((t) => ({
            spec: `topic:${t.id}`,
            name: `专题 ${t.title}`,
          })),
        ]
        return `<ListSets>${sets.map((s) => `<set>${el('setSpec', {}, s.spec)}${el('setName', {}, s.name)}</set>`).join('')}</ListSets>`
      }
      case 'GetRecord': {
        if (args.get('metadataPrefix') !== 'oai_dc')
          throw new OaiError('cannotDisseminateFormat', 'only oai_dc is disseminated')
        const item = await findItem(args.get('identifier')!)
        return `<GetRecord>${record(c, item, await topicSets())}</GetRecord>`
      }
      case 'ListIdentifiers':
      case 'ListRecords': {
        const token = args.get('resumptionToken')
        if (token !== undefined) {
          const state = decodeToken(token)
          if (!state || state.verb !== verb)
            throw new OaiError(
              'badResumptionToken',
              'the resumption token is not one this repository issued for this verb',
            )
          return list(c, verb, state)
        }
        if (args.get('metadataPrefix') !== 'oai_dc')
          throw new OaiError('cannotDisseminateFormat', 'only oai_dc is disseminated')
        const fromArg = args.get('from')
        const untilArg = args.get('until')
        const from = fromArg !== undefined ? parseOaiDate(fromArg, 'from') : undefined
        const until = untilArg !== undefined ? parseOaiDate(untilArg, 'until') : undefined
        if ((fromArg !== undefined && !from) || (untilArg !== undefined && !until))
          throw new OaiError('badArgument', 'dates are YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ')
        if (from && until && from.granularity !== until.granularity)
          throw new OaiError('badArgument', 'from and until must have the same granularity')
        if (from && until && from.iso > until.iso) throw new OaiError('badArgument', 'from is later than until')
        const set = args.get('set')
        if (set !== undefined && !setSpecRe.test(set)) throw new OaiError('badArgument', 'not a setSpec')
        return list(c, verb, {
          metadataPrefix: 'oai_dc',
          ...(set ? { set } : {}),
          ...(from ? { from: from.iso } : {}),
          ...(until ? { until: until.iso } : {}),
          cursor: 0,
        })
      }
    }
  }

  async function findItem(identifier: string): Promise<Resource | Tombstone> {
    const id = localId(identifier)
    const item = id
      ? ((await deps.resources.records.get(id)) ?? (await deps.resources.records.tombstone(id)))
      : undefined
    if (!item || !exposed(item)) throw new OaiError('idDoesNotExist', `${identifier} is not known here`)
    return item
  }

  const handle = async (c: Context<AppEnv>) => {
    const base = `${deps.baseUrl(c)}/oai`
    const all = await readArgs(c)
    const verbArg = all.get('verb')
    let requestEl = el('request', {}, base)
    let body: string
    try {
      const repeated = [...all].find(([, v]) => v.length > 1)
      if (verbArg?.length !== 1 || !isVerb(verbArg[0])) {
        if (repeated?.[0] === 'verb') throw new OaiError('badVerb', 'the verb argument is repeated')
        throw new OaiError('badVerb', verbArg ? `${verbArg[0]} is not an OAI-PMH verb` : 'the verb argument is missing')
      }
      const verb = verbArg[0]
      if (repeated) throw new OaiError('badArgument', `${repeated[0]} is repeated`)
      const args = new Map([...all].filter(([k]) => k !== 'verb').map(([k, v]) => [k, v[0]!]))
      const spec = verbs[verb]
      const allowed = new Set<string>([
        ...spec.required,
        ...spec.optional,
        ...(exclusiveToken.has(verb) ? ['resumptionToken'] : []),
      ])
      const unknown = [...args.keys()].find((k) => !allowed.has(k))
      if (unknown) throw new OaiError('badArgument', `${unknown} is not an argument of ${verb}`)
      if (args.has('resumptionToken')) {
        if (args.size > 1) throw new OaiError('badArgument', 'resumptionToken is an exclusive argument')
      } else {
        const missing = spec.required.find((k) => !args.has(k))
        if (missing) throw new OaiError('badArgument', `${verb} needs ${missing}`)
      }
      // The request element echoes the arguments only when they were valid.
      requestEl = el('request', { verb, ...Object.fromEntries(args) }, base)
      body = await answer(c, verb, args)
    } catch (err) {
      if (!(err instanceof OaiError)) throw err
      if (err.code === 'badVerb' || err.code === 'badArgument') requestEl = el('request', {}, base)
      body = `<error code="${err.code}">${xmlText(err.message)}</error>`
    }
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
      'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">' +
      el('responseDate', {}, datestamp(new Date(deps.now()).toISOString())) +
      requestEl +
      body +
      '</OAI-PMH>\n'
    return c.body(xml, 200, { 'content-type': 'text/xml; charset=utf-8', 'cache-control': 'no-store' })
  }
  app.get('/oai', handle)
  app.post('/oai', handle)
}
