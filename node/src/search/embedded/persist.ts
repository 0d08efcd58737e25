/**
 * @module search/embedded/persist
 * The embedded index on disk: one file, written whole after a merge (temporary file, fsync,
 * rename, so a crash leaves the old file or the new one) and read back at start-up without
 * re-folding or re-gramming anything.
 *
 * Layout: `SHLNIDX1`, a u32 header length, the header (JSON: rows, value lists, vocabulary,
 * the change cursor covered, section sizes), padding to 8 bytes, then the typed arrays.
 */
import { open, readFile, rename, rm } from 'node:fs/promises'
import { z } from 'zod'
import type { StoredDoc, ValueLists } from './docs.js'
import type { BaseSegment } from './postings.js'
import type { Slices } from './slices.js'

const MAGIC = 'SHLNIDX1'
/** 2: rows carry a lecture's transcript (an older image is rebuilt from the records). */
export const FORMAT_VERSION = 2

export interface IndexImage {
  cursor: string | undefined
  rows: StoredDoc[]
  values: ValueLists
  vocabulary: string[]
  segment: BaseSegment
}

/** Row fields in file order (rows are stored as arrays: half the size of objects). */
const rowFields = [
  'id',
  'revision',
  'title',
  'creators',
  'subjects',
  'description',
  'other',
  'transcript',
  'pinyin',
  'pinyinMarks',
  'creatorNames',
  'titleText',
  'type',
  'language',
  'access',
  'status',
  'source',
  'subjectIds',
  'year',
  'published',
  'popularity',
] as const satisfies ReadonlyArray<keyof StoredDoc>

const Header = z.object({
  version: z.literal(FORMAT_VERSION),
  cursor: z.string().optional(),
  fields: z.array(z.string()),
  rows: z.array(z.array(z.unknown())),
  values: z.object({
    types: z.array(z.string()),
    languages: z.array(z.string()),
    access: z.array(z.string()),
    statuses: z.array(z.string()),
    sources: z.array(z.string()),
    subjects: z.array(z.string()),
  }),
  vocabulary: z.array(z.string()),
  sections: z.object({ keys: z.number().int(), bytes: z.number().int(), count: z.number().int() }),
})

/** Rows serialised in one piece of the header. */
const rowsPerPiece = 256

/**
 * Writes an image. The header's rows (100 MB of JSON for 100k records) are serialised a piece
 * at a time, pausing when `slices` says so, instead of in one JSON.stringify that held the
 * event loop for as long as it took.
 */
export async function writeImage(path: string, image: IndexImage, slices?: Slices): Promise<number> {
  const meta = JSON.stringify({
    version: FORMAT_VERSION,
    cursor: image.cursor,
    fields: rowFields,
    values: image.values,
    vocabulary: image.vocabulary,
    sections: { keys: image.segment.keys.length, bytes: image.segment.bytes.length, count: image.segment.count },
  })
  // The same JSON object with `rows` last: `{…meta, "rows":[row,row,…]}`.
  const header: Buffer[] = [Buffer.from(`${meta.slice(0, -1)},"rows":[`)]
  for (let i = 0; i < image.rows.length; i += rowsPerPiece) {
    if (slices?.due()) await slices.pause()
    const piece = image.rows.slice(i, i + rowsPerPiece).map((r) => JSON.stringify(rowFields.map((f) => r[f])))
    header.push(Buffer.from((i ? ',' : '') + piece.join(',')))
  }
  header.push(Buffer.from(']}'))
  const headerLength = header.reduce((n, b) => n + b.length, 0)
  const prefix = Buffer.alloc(12)
  prefix.write(MAGIC, 0, 'latin1')
  prefix.writeUInt32LE(headerLength, 8)
  const pad = Buffer.alloc((8 - ((12 + headerLength) % 8)) % 8)
  const { keys, offsets, bytes } = image.segment
  const parts = [prefix, ...header, pad, keys, offsets, bytes].map((p) =>
    Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength),
  )
  const tmp = `${path}.tmp`
  const fh = await open(tmp, 'w')
  let size = 0
  try {
    for (const p of parts) {
      await fh.write(p)
      size += p.length
    }
    await fh.sync()
  } catch (err) {
    // A full disk: the partial image would hold on to the space the node needs back.
    await fh.close().catch(() => {})
    await rm(tmp, { force: true })
    throw err
  }
  await fh.close()
  await rename(tmp, path)
  return size
}

/** Reads an image; undefined when there is none or it is from another version or damaged. */
export async function readImage(path: string): Promise<IndexImage | undefined> {
  let file: Buffer
  try {
    file = await readFile(path)
  } catch {
    return undefined
  }
  try {
    if (file.toString('latin1', 0, 8) !== MAGIC) return undefined
    const headerLength = file.readUInt32LE(8)
    const parsed = Header.safeParse(JSON.parse(file.toString('utf8', 12, 12 + headerLength)))
    if (!parsed.success || parsed.data.fields.join() !== rowFields.join()) return undefined
    const h = parsed.data
    let at = 12 + headerLength
    at += (8 - (at % 8)) % 8
    // Copies: the file buffer's alignment is not guaranteed for typed-array views.
    const take = <T>(make: (buf: ArrayBuffer) => T, bytes: number): T => {
      if (at + bytes > file.length) throw new Error('truncated')
      const buf = new ArrayBuffer(bytes)
      new Uint8Array(buf).set(file.subarray(at, at + bytes))
      at += bytes
      return make(buf)
    }
    const keys = take((b) => new Float64Array(b), h.sections.keys * 8)
    const offsets = take((b) => new Uint32Array(b), (h.sections.keys + 1) * 4)
    const bytes = take((b) => new Uint8Array(b), h.sections.bytes)
    if (at !== file.length) return undefined
    const rows = h.rows.map((r) => Object.fromEntries(rowFields.map((f, i) => [f, r[i]])) as unknown as StoredDoc)
    return {
      cursor: h.cursor,
      rows,
      values: h.values,
      vocabulary: h.vocabulary,
      segment: { keys, offsets, bytes, count: h.sections.count },
    }
  } catch {
    return undefined
  }
}

export async function removeImage(path: string): Promise<void> {
  await rm(path, { force: true })
}
