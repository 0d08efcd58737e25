/**
 * @module sip2/message
 * SIP2 frames as the 3M Standard Interchange Protocol 2.00 writes them: a two-digit command,
 * fixed-length fields, then variable fields (two-letter id, value, `|`), and — with error
 * detection on — `AY` sequence number and `AZ` checksum, ended by a carriage return.
 * One writer per request the node sends (93, 63, 23), one reader for every answer.
 */

/** Characters a field value may not carry: they would end the field or the frame. */
const fieldBreak = /[|\r\n]/g

/** What a received frame says, before its meaning is read. */
export interface Sip2Frame {
  /** Two-digit command identifier, e.g. `94`, `64`. */
  command: string
  /** The fixed-length part that follows the command, as received. */
  fixed: string
  /** Variable fields by id; a repeated id keeps every value in order. */
  fields: Map<string, string[]>
  /** The `AY` sequence number, when error detection is on. */
  sequence: number | undefined
}

/** Why a frame could not be read: the connection that carried it is not to be trusted further. */
export class Sip2FrameError extends Error {
  override readonly name: string = 'Sip2FrameError'
}

/** A frame whose checksum is wrong: damaged on the way, worth one 97 resend. */
export class Sip2ChecksumError extends Sip2FrameError {
  override readonly name = 'Sip2ChecksumError'
}

/**
 * The checksum of the spec: the binary sum of every character from the command up to and
 * including `AZ`, its two's complement, the low 16 bits as four upper-case hex digits.
 * @example sip2Checksum('990 402.00AY1AZ') // 'FCB4', the spec's own example (page 26)
 */
export function sip2Checksum(text: string): string {
  let sum = 0
  for (const byte of Buffer.from(text, 'utf8')) sum += byte
  return (-sum & 0xffff).toString(16).toUpperCase().padStart(4, '0')
}

/**
 * The transaction date of the spec: `YYYYMMDDZZZZHHMMSS`. The zone is left blank, which the
 * spec reads as local time: the library's ILS and its node keep the same clock.
 */
export function sip2Date(at: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return (
    `${p(at.getFullYear(), 4)}${p(at.getMonth() + 1)}${p(at.getDate())}    ` +
    `${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`
  )
}

function field(id: string, value: string): string {
  return `${id}${value.replace(fieldBreak, ' ')}|`
}

/** Ends a request with sequence number and checksum and the carriage return. */
export function sealFrame(body: string, sequence: number): string {
  const head = `${body}AY${sequence % 10}AZ`
  return `${head}${sip2Checksum(head)}\r`
}

/** 93 Login: user id and password algorithms `0` (plain), CN, CO and the optional CP. */
export function loginRequest(opts: { user: string; password: string; location?: string | undefined }): string {
  return `9300${field('CN', opts.user)}${field('CO', opts.password)}${opts.location ? field('CP', opts.location) : ''}`
}

/** 63 Patron Information: language `000` (unknown), date, an empty summary, AO AA AD. */
export function patronInformationRequest(opts: { institution: string; patron: string; pin: string; at: Date }): string {
  return (
    `63000${sip2Date(opts.at)}${' '.repeat(10)}` +
    `${field('AO', opts.institution)}${field('AA', opts.patron)}${field('AC', '')}${field('AD', opts.pin)}`
  )
}

/** 23 Patron Status: language, date, AO AA AC AD (all four required by the spec). */
export function patronStatusRequest(opts: { institution: string; patron: string; pin: string; at: Date }): string {
  return (
    `23000${sip2Date(opts.at)}` +
    `${field('AO', opts.institution)}${field('AA', opts.patron)}${field('AC', '')}${field('AD', opts.pin)}`
  )
}

/** 97 Request ACS Resend: asks for the last answer again, sent without sequence or checksum. */
export const resendRequest = '97\r'

/** Length of the fixed part after the command, per answer the node reads. */
const fixedLength: Record<string, number> = {
  '94': 1,
  '64': 14 + 3 + 18 + 6 * 4,
  '24': 14 + 3 + 18,
  '96': 0,
}

/**
 * Reads one frame (without its carriage return). Checks the checksum when `AZ` is present and
 * refuses a frame whose command is unknown or whose fixed part is short.
 */
export function parseFrame(raw: string): Sip2Frame {
  let text = raw.replace(/\n$/, '')
  const az = text.lastIndexOf('AZ')
  if (az >= 0 && az === text.length - 6) {
    const given = text.slice(az + 2)
    if (!/^[0-9A-Fa-f]{4}$/.test(given) || sip2Checksum(text.slice(0, az + 2)) !== given.toUpperCase()) {
      throw new Sip2ChecksumError('checksum mismatch')
    }
    text = text.slice(0, az)
  }
  let sequence: number | undefined
  const ay = /AY(\d)$/.exec(text)
  if (ay) {
    sequence = Number(ay[1])
    text = text.slice(0, ay.index)
  }
  const command = text.slice(0, 2)
  const length = fixedLength[command]
  if (length === undefined) throw new Sip2FrameError(`unexpected command ${JSON.stringify(command)}`)
  if (text.length < 2 + length) throw new Sip2FrameError(`short ${command} frame`)
  const fixed = text.slice(2, 2 + length)
  const fields = new Map<string, string[]>()
  for (const part of text.slice(2 + length).split('|')) {
    if (part.length < 2) continue
    const id = part.slice(0, 2)
    const list = fields.get(id) ?? []
    list.push(part.slice(2))
    fields.set(id, list)
  }
  return { command, fixed, fields, sequence }
}

/** What the node needs of a 64 or 24 answer. */
export interface PatronAnswer {
  validPatron: boolean
  /** `undefined` when the ILS did not say (a 24 may leave CQ out). */
  validPassword: boolean | undefined
  name: string | null
  /** The 14 patron status flags; any of charge-denied, card-lost set counts as blocked here. */
  blocked: boolean
  /** The patron status flags that are set, by the spec's names. */
  flags: string[]
  feeAmount: string | null
  /** AF screen messages, joined: what the ILS wants the patron told. */
  screenMessage: string | null
}

const statusFlags = [
  'charge privileges denied',
  'renewal privileges denied',
  'recall privileges denied',
  'hold privileges denied',
  'card reported lost',
  'too many items charged',
  'too many items overdue',
  'too many renewals',
  'too many claims of items returned',
  'too many items lost',
  'excessive outstanding fines',
  'excessive outstanding fees',
  'recall overdue',
  'too many items billed',
] as const

/** Flags that keep a reader from signing in: the ILS itself refuses them at the desk. */
const blocking = new Set<string>(['charge privileges denied', 'card reported lost'])

export function readPatronAnswer(frame: Sip2Frame): PatronAnswer {
  if (frame.command !== '64' && frame.command !== '24') {
    throw new Sip2FrameError(`expected a patron answer, got ${frame.command}`)
  }
  const status = frame.fixed.slice(0, 14)
  const flags = statusFlags.filter((_, i) => status[i] === 'Y')
  const one = (id: string) => frame.fields.get(id)?.[0]
  const yn = (id: string) => {
    const v = one(id)?.trim().toUpperCase()
    return v === 'Y' ? true : v === 'N' ? false : undefined
  }
  const messages = (frame.fields.get('AF') ?? []).map((m) => m.trim()).filter(Boolean)
  return {
    // BL is optional in the spec; an ILS that leaves it out knows no "invalid" patrons.
    validPatron: yn('BL') ?? true,
    validPassword: yn('CQ'),
    name: one('AE')?.trim() || null,
    blocked: flags.some((f) => blocking.has(f)),
    flags,
    feeAmount: one('BV')?.trim() || null,
    screenMessage: messages.length ? messages.join(' ') : null,
  }
}
