/**
 * @module resources/import/iso2709
 * ISO 2709 framing for MARC 21 and CNMARC: records end with 0x1D; a 24-byte leader gives the
 * record length and the base address of the data; a directory of 12-byte entries (tag,
 * length, offset) ends with 0x1E; subfields start with 0x1F. Every number is checked, so a
 * broken leader or directory is one refused record — the reader resynchronises at the next
 * record terminator and goes on. Text is UTF-8, or GB18030 when it is not valid UTF-8 (older
 * Chinese catalogues).
 *
 * marcjs (the maintained npm MARC library) trusts the leader (a broken one yields an empty
 * record silently) and only decodes UTF-8, hence this reader (and `marcxml.ts` for MARCXML).
 */
import type { Readable } from 'node:stream'
import { splitAt } from './lines.js'

export interface MarcField {
  tag: string
  /** Control fields (00X). */
  value?: string
  ind?: string
  subfields?: Array<[string, string]>
}
export interface MarcRecord {
  leader: string
  fields: MarcField[]
}

export class MarcFormatError extends Error {
  override readonly name = 'MarcFormatError'
}

const maxRecordBytes = 99_999
const utf8 = new TextDecoder('utf-8', { fatal: true })
const gb18030 = new TextDecoder('gb18030')

function decode(b: Buffer): string {
  try {
    return utf8.decode(b)
  } catch {
    return gb18030.decode(b)
  }
}

const digits = (b: Buffer, from: number, to: number): number => {
  const s = b.toString('latin1', from, to)
  if (!/^\d+$/.test(s))
    throw new MarcFormatError(`expected digits at bytes ${from}-${to - 1}, found ${JSON.stringify(s)}`)
  return Number(s)
}

/** Parses one record (without its 0x1D terminator). */
export function parseIso2709(raw: Buffer): MarcRecord {
  if (raw.length < 25) throw new MarcFormatError(`record of ${raw.length} bytes is shorter than a leader and directory`)
  const length = digits(raw, 0, 5)
  if (length !== raw.length + 1)
    throw new MarcFormatError(`leader says ${length} bytes, the record has ${raw.length + 1}`)
  const base = digits(raw, 12, 17)
  if (base < 25 || base > raw.length || raw[base - 1] !== 0x1e)
    throw new MarcFormatError(`base address ${base} does not follow the directory`)
  if ((base - 25) % 12 !== 0) throw new MarcFormatError('the directory is not a whole number of 12-byte entries')
  const leader = raw.toString('latin1', 0, 24)
  const fields: MarcField[] = []
  for (let off = 24; off < base - 1; off += 12) {
    const tag = raw.toString('latin1', off, off + 3)
    if (!/^[0-9A-Za-z]{3}$/.test(tag)) throw new MarcFormatError(`bad tag ${JSON.stringify(tag)} in the directory`)
    const len = digits(raw, off + 3, off + 7)
    const start = base + digits(raw, off + 7, off + 12)
    if (len < 1 || start + len > raw.length) throw new MarcFormatError(`field ${tag} points past the end of the record`)
    const data = raw.subarray(start, start + len - 1) // without the 0x1E field terminator
    if (tag < '010' && /^\d+$/.test(tag)) {
      fields.push({ tag, value: decode(data) })
      continue
    }
    const ind = decode(data.subarray(0, 2))
    const subfields: Array<[string, string]> = []
    for (const part of decode(data.subarray(2)).split('\x1f').slice(1))
      if (part) subfields.push([part[0]!, part.slice(1)])
    fields.push({ tag, ind, subfields })
  }
  return { leader, fields }
}

/** Splits a stream into records at 0x1D, refusing one longer than ISO 2709 allows. */
export async function* iso2709Records(
  input: Readable | AsyncIterable<Uint8Array>,
): AsyncGenerator<{ n: number; record: MarcRecord } | { n: number; error: string }> {
  for await (const piece of splitAt(input, 0x1d, maxRecordBytes)) {
    if ('tooLong' in piece) yield { n: piece.n, error: `record longer than ${maxRecordBytes} bytes` }
    else if (!piece.terminated) {
      // Bytes after the last terminator: a truncated record (whitespace and EOF markers aside).
      if (piece.bytes.toString('latin1').replace(/\x1a/g, '').trim())
        yield { n: piece.n, error: 'the file ends in the middle of a record (no record terminator)' }
    } else {
      try {
        yield { n: piece.n, record: parseIso2709(piece.bytes) }
      } catch (err) {
        yield { n: piece.n, error: (err as Error).message }
      }
    }
  }
}
