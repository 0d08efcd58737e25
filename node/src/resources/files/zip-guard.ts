/**
 * @module resources/files/zip-guard
 * Reads an EPUB (a zip) defensively with yauzl: bounded entry count, total and per-entry
 * expansion (zip bombs), no traversal or absolute names, no symlinks; entries are read into
 * memory only when asked for, and only up to a cap.
 */
import yauzl, { type Entry, type ZipFile } from 'yauzl'

export const zipLimits = {
  maxEntries: 10_000,
  maxTotalBytes: 1024 ** 3,
  /** Expansion allowed per entry once it is over 1 MiB uncompressed. */
  maxRatio: 100,
  maxReadBytes: 16 * 1024 ** 2,
} as const

export class UnsafeZip extends Error {
  override readonly name = 'UnsafeZip'
}

const isSymlink = (e: Entry) => ((e.externalFileAttributes >>> 16) & 0o170000) === 0o120000
const badName = (name: string) =>
  name.startsWith('/') ||
  name.includes('\\') ||
  name.includes('\0') ||
  name.split('/').includes('..') ||
  /^[a-zA-Z]:/.test(name)

export interface CheckedZip {
  names: string[]
  /** Reads one entry (decompressed, size-checked by yauzl) as a Buffer. */
  read(name: string, maxBytes?: number): Promise<Buffer | undefined>
  close(): void
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true },
      (err, zf) => (err || !zf ? reject(new UnsafeZip(err?.message ?? 'unreadable zip')) : resolve(zf)),
    ),
  )
}

/** Opens a zip and checks every entry header before anything is extracted. */
export async function openCheckedZip(path: string): Promise<CheckedZip> {
  const zf = await openZip(path)
  const entries = new Map<string, Entry>()
  let total = 0
  try {
    if (zf.entryCount > zipLimits.maxEntries)
      throw new UnsafeZip(`${zf.entryCount} entries (limit ${zipLimits.maxEntries})`)
    await new Promise<void>((resolve, reject) => {
      zf.on('error', (err: Error) => reject(new UnsafeZip(err.message)))
      zf.on('end', resolve)
      zf.on('entry', (e: Entry) => {
        if (badName(e.fileName)) return reject(new UnsafeZip(`unsafe entry name ${JSON.stringify(e.fileName)}`))
        if (isSymlink(e)) return reject(new UnsafeZip(`symbolic link entry ${JSON.stringify(e.fileName)}`))
        total += e.uncompressedSize
        if (total > zipLimits.maxTotalBytes) return reject(new UnsafeZip('expands past the size limit'))
        if (e.uncompressedSize > 1024 ** 2 && e.uncompressedSize > zipLimits.maxRatio * Math.max(1, e.compressedSize)) {
          return reject(
            new UnsafeZip(
              `entry ${e.fileName} expands ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}×`,
            ),
          )
        }
        entries.set(e.fileName, e)
        zf.readEntry()
      })
      zf.readEntry()
    })
  } catch (err) {
    zf.close()
    throw err
  }
  return {
    names: [...entries.keys()],
    read: (name, maxBytes = zipLimits.maxReadBytes) => {
      const e = entries.get(name)
      if (!e) return Promise.resolve(undefined)
      if (e.uncompressedSize > maxBytes)
        return Promise.reject(new UnsafeZip(`${name} is larger than ${maxBytes} bytes`))
      return new Promise((resolve, reject) =>
        zf.openReadStream(e, (err, stream) => {
          if (err || !stream) return reject(new UnsafeZip(err?.message ?? 'unreadable entry'))
          const chunks: Buffer[] = []
          let size = 0
          stream.on('data', (c: Buffer) => {
            size += c.length
            if (size > maxBytes) stream.destroy(new UnsafeZip(`${name} expands past ${maxBytes} bytes`))
            else chunks.push(c)
          })
          stream.on('error', (e2: Error) => reject(e2 instanceof UnsafeZip ? e2 : new UnsafeZip(e2.message)))
          stream.on('end', () => resolve(Buffer.concat(chunks)))
        }),
      )
    },
    close: () => zf.close(),
  }
}
