/**
 * @module testing/sms-standins
 * Test support: loopback stand-ins for Alibaba Cloud SMS (`dysmsapi`, SendSms) and Tencent Cloud
 * SMS (`sms`, SendSms). Each recomputes the request's signature from the secret exactly as the
 * provider documents it — Alibaba's V3 `ACS3-HMAC-SHA256` (what `@alicloud/dysmsapi20170525`
 * sends) and Tencent's `TC3-HMAC-SHA256` — and refuses a request whose signature, body hash,
 * credential or time does not hold, the way the real service answers. A `mode` makes the
 * provider fail (HTTP 500) or hang, for the queue's retries.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SentSms {
  phone: string
  /** Template code (Alibaba) or template id (Tencent). */
  template: string
  /** Template parameters: Alibaba's JSON object, Tencent's ordered list. */
  params: Record<string, string> | string[]
  signName: string
}

export type StandInMode = 'ok' | 'fail' | 'hang'

export interface SmsStandIn {
  /** `127.0.0.1:port`. */
  readonly endpoint: string
  readonly port: number
  /** Messages accepted, oldest first. */
  readonly sent: SentSms[]
  /** Requests seen, accepted or not (a retried send counts each try). */
  requests: number
  /** Requests refused for their signature, with the reason. */
  readonly refused: string[]
  mode: StandInMode
  close(): Promise<void>
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()

/** RFC 3986 percent-encoding, as Alibaba's signature documentation asks (space → %20, `*` → %2A, `~` kept). */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > 64 * 1024) throw new Error('body too large')
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name]
  return Array.isArray(v) ? v.join(',') : (v ?? '')
}

async function listen(
  handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void,
  state: { mode: StandInMode; requests: number },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const hanging = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        state.requests++
        if (state.mode === 'hang') {
          hanging.add(res)
          return
        }
        if (state.mode === 'fail') {
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"internal error"}')
          return
        }
        handle(req, body, res)
      },
      () => res.writeHead(413).end(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    port,
    async close() {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(body))

/**
 * Alibaba Cloud's V3 request signature (help.aliyun.com "V3版本请求体&签名机制"):
 * CanonicalRequest = method \n URI \n sorted RFC3986 query \n `name:value\n` of each signed
 * header (lower-case, sorted) \n signed header names \n hex SHA-256 of the body;
 * StringToSign = `ACS3-HMAC-SHA256\n` + hex SHA-256 of it; Signature = hex HMAC-SHA256(secret).
 * Returns the reason it fails, or undefined when it holds.
 */
export function checkAcs3(
  req: { method: string; url: string; headers: Record<string, string>; body: Buffer },
  keys: { accessKeyId: string; accessKeySecret: string },
  now = Date.now(),
): string | undefined {
  const auth = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(
    req.headers.authorization ?? '',
  )
  if (!auth) return 'IncompleteSignature'
  const [, credential, signedHeaderList, signature] = auth as unknown as [string, string, string, string]
  if (credential !== keys.accessKeyId) return 'InvalidAccessKeyId.NotFound'
  const signed = signedHeaderList.split(';')
  for (const must of [
    'host',
    'x-acs-action',
    'x-acs-version',
    'x-acs-date',
    'x-acs-signature-nonce',
    'x-acs-content-sha256',
  ])
    if (!signed.includes(must)) return `IncompleteSignature: ${must} not signed`
  if ([...signed].sort().join(';') !== signedHeaderList) return 'IncompleteSignature: signed headers not sorted'
  const date = Date.parse(req.headers['x-acs-date'] ?? '')
  if (!/Z$/.test(req.headers['x-acs-date'] ?? '') || !Number.isFinite(date) || Math.abs(now - date) > 15 * 60_000)
    return 'InvalidTimeStamp.Expired'
  const payloadHash = sha256Hex(req.body)
  if (req.headers['x-acs-content-sha256'] !== payloadHash) return 'ContentSHA256NotMatched'
  const url = new URL(req.url, 'http://stand-in')
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const canonicalHeaders = signed.map((h) => `${h}:${(req.headers[h] ?? '').trim()}\n`).join('')
  const canonicalRequest = [
    req.method.toUpperCase(),
    url.pathname,
    query,
    canonicalHeaders,
    signedHeaderList,
    payloadHash,
  ].join('\n')
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`
  const expected = hmac(keys.accessKeySecret, stringToSign).toString('hex')
  return expected === signature ? undefined : 'SignatureDoesNotMatch'
}

/** A stand-in for `dysmsapi.aliyuncs.com`: SendSms, signed with ACS3-HMAC-SHA256. */
export async function startAliyunStandIn(keys: { accessKeyId: string; accessKeySecret: string }): Promise<SmsStandIn> {
  const sent: SentSms[] = []
  const refused: string[] = []
  const nonces = new Set<string>()
  const state = { mode: 'ok' as StandInMode, requests: 0 }
  const srv = await listen((req, body, res) => {
    const headers: Record<string, string> = {}
    for (const name of Object.keys(req.headers)) headers[name] = header(req, name)
    const requestId = randomUUID()
    const reason = checkAcs3({ method: req.method ?? 'GET', url: req.url ?? '/', headers, body }, keys)
    if (reason) {
      refused.push(reason)
      return json(res, reason.startsWith('InvalidAccessKeyId') ? 404 : 400, {
        Code: reason.split(':')[0],
        Message: `Specified signature does not match our calculation (${reason}).`,
        RequestId: requestId,
      })
    }
    const nonce = headers['x-acs-signature-nonce'] ?? ''
    if (nonces.has(nonce)) {
      refused.push('SignatureNonceUsed')
      return json(res, 400, { Code: 'SignatureNonceUsed', Message: 'nonce used', RequestId: requestId })
    }
    nonces.add(nonce)
    if (headers['x-acs-action'] !== 'SendSms' || headers['x-acs-version'] !== '2017-05-25')
      return json(res, 404, { Code: 'InvalidAction.NotFound', Message: 'unknown action', RequestId: requestId })
    const q = new URL(req.url ?? '/', 'http://stand-in').searchParams
    const form = new URLSearchParams(body.toString('utf8'))
    const param = (name: string) => q.get(name) ?? form.get(name) ?? ''
    let params: Record<string, string>
    try {
      params = JSON.parse(param('TemplateParam') || '{}') as Record<string, string>
    } catch {
      return json(res, 200, { Code: 'isv.INVALID_JSON_PARAM', Message: 'bad TemplateParam', RequestId: requestId })
    }
    if (!/^1\d{10}$/.test(param('PhoneNumbers')))
      return json(res, 200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'bad phone', RequestId: requestId })
    sent.push({ phone: param('PhoneNumbers'), template: param('TemplateCode'), params, signName: param('SignName') })
    json(res, 200, { Code: 'OK', Message: 'OK', BizId: `${Date.now()}^0`, RequestId: requestId })
  }, state)
  return standIn(srv, state, sent, refused)
}

function standIn(
  srv: { port: number; close(): Promise<void> },
  state: { mode: StandInMode; requests: number },
  sent: SentSms[],
  refused: string[],
): SmsStandIn {
  return {
    endpoint: `127.0.0.1:${srv.port}`,
    port: srv.port,
    sent,
    refused,
    get requests() {
      return state.requests
    },
    set requests(n: number) {
      state.requests = n
    },
    get mode() {
      return state.mode
    },
    set mode(m: StandInMode) {
      state.mode = m
    },
    close: () => srv.close(),
  }
}

/**
 * Tencent Cloud's TC3-HMAC-SHA256 (cloud.tencent.com/document/api/382/52072 "签名方法 v3"):
 * CanonicalRequest = method \n URI \n query \n `name:value\n` of each signed header (both
 * lower-case) \n signed header names \n hex SHA-256 of the body; StringToSign =
 * `TC3-HMAC-SHA256\n<timestamp>\n<date>/<service>/tc3_request\n` + hex SHA-256 of it; the key is
 * HMAC chained from `TC3`+secret over date, service and `tc3_request`. The host is the domain
 * name (no port). Returns the error code it fails with, or undefined when it holds.
 */
export function checkTc3(
  req: { method: string; url: string; headers: Record<string, string>; body: Buffer },
  keys: { secretId: string; secretKey: string },
  now = Date.now(),
): string | undefined {
  const auth =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      req.headers.authorization ?? '',
    )
  if (!auth) return 'AuthFailure.SignatureFailure'
  const [, secretId, date, service, signedHeaderList, signature] = auth as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  if (secretId !== keys.secretId) return 'AuthFailure.SecretIdNotFound'
  if (service !== 'sms') return 'AuthFailure.InvalidAuthorization'
  const timestamp = Number(req.headers['x-tc-timestamp'])
  if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > 300) return 'AuthFailure.SignatureExpire'
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return 'AuthFailure.InvalidAuthorization'
  const signed = signedHeaderList.split(';')
  if (!signed.includes('content-type') || !signed.includes('host')) return 'AuthFailure.InvalidAuthorization'
  const value = (h: string) => {
    const v = (req.headers[h] ?? '').trim().toLowerCase()
    return h === 'host' ? v.replace(/:\d+$/, '') : v
  }
  const url = new URL(req.url, 'http://stand-in')
  const canonicalRequest = [
    req.method.toUpperCase(),
    url.pathname,
    url.search.slice(1),
    signed.map((h) => `${h}:${value(h)}\n`).join(''),
    signedHeaderList,
    sha256Hex(req.body),
  ].join('\n')
  const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/${service}/tc3_request\n${sha256Hex(canonicalRequest)}`
  const kSigning = hmac(hmac(hmac(`TC3${keys.secretKey}`, date), service), 'tc3_request')
  const expected = hmac(kSigning, stringToSign).toString('hex')
  return expected === signature ? undefined : 'AuthFailure.SignatureFailure'
}

/** A stand-in for `sms.tencentcloudapi.com`: SendSms (2021-01-11), signed with TC3-HMAC-SHA256. */
export async function startTencentStandIn(keys: { secretId: string; secretKey: string }): Promise<SmsStandIn> {
  const sent: SentSms[] = []
  const refused: string[] = []
  const state = { mode: 'ok' as StandInMode, requests: 0 }
  const srv = await listen((req, body, res) => {
    const headers: Record<string, string> = {}
    for (const name of Object.keys(req.headers)) headers[name] = header(req, name)
    const RequestId = randomUUID()
    const error = (Code: string, Message: string) =>
      json(res, 200, { Response: { Error: { Code, Message }, RequestId } })
    const reason = checkTc3({ method: req.method ?? 'GET', url: req.url ?? '/', headers, body }, keys)
    if (reason) {
      refused.push(reason)
      return error(reason, 'The provided credentials could not be validated.')
    }
    if (headers['x-tc-action'] !== 'SendSms' || headers['x-tc-version'] !== '2021-01-11')
      return error('InvalidAction', 'unknown action')
    let p: {
      PhoneNumberSet?: string[]
      SmsSdkAppId?: string
      TemplateId?: string
      SignName?: string
      TemplateParamSet?: string[]
    }
    try {
      p = JSON.parse(body.toString('utf8')) as typeof p
    } catch {
      return error('InvalidParameter', 'body is not JSON')
    }
    const phones = p.PhoneNumberSet ?? []
    if (!p.SmsSdkAppId || !p.TemplateId || phones.length !== 1 || !/^\+861\d{10}$/.test(phones[0] ?? ''))
      return error('InvalidParameterValue.IncorrectPhoneNumber', 'bad request')
    const phone = phones[0] as string
    sent.push({ phone, template: p.TemplateId, params: p.TemplateParamSet ?? [], signName: p.SignName ?? '' })
    json(res, 200, {
      Response: {
        SendStatusSet: [
          {
            SerialNo: randomUUID(),
            PhoneNumber: phone,
            Fee: 1,
            SessionContext: '',
            Code: 'Ok',
            Message: 'send success',
            IsoCode: 'CN',
          },
        ],
        RequestId,
      },
    })
  }, state)
  return standIn(srv, state, sent, refused)
}
