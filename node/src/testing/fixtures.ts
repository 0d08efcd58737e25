/**
 * @module testing/fixtures
 * Small but real files for tests, made in code: an EPUB (zip with OPF, nav and cover), a PDF,
 * an MP3 (MPEG-1 Layer III frames), an MP4 (ftyp + moov/mvhd), a PNG — and the hostile zips
 * no well-behaved library would write (traversal names, symlinks, bombs).
 */
import { crc32, deflateRawSync } from 'node:zlib'

export interface ZipEntry {
  name: string
  data: Buffer | string
  /** Store uncompressed (EPUB's `mimetype` must be). */
  store?: boolean
  /** Mark as a symbolic link (Unix mode in the external attributes). */
  symlink?: boolean
  /** Lie about the uncompressed size in the headers. */
  claimedSize?: number
}

/** A minimal zip writer (local headers, central directory, end record). */
export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const raw = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data)
    const body = e.store ? raw : deflateRawSync(raw)
    const name = Buffer.from(e.name)
    const crc = crc32(raw)
    const size = e.claimedSize ?? raw.length
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6)
    local.writeUInt16LE(e.store ? 0 : 8, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    locals.push(local, name, body)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(0x0314, 4) // made by Unix
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(e.store ? 0 : 8, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(((e.symlink ? 0o120777 : 0o100644) << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)
    offset += 30 + name.length + body.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

/** A 1×1 PNG. */
export const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

const container = `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`

export function epubEntries(opts: { title?: string; creator?: string; isbn?: string } = {}): ZipEntry[] {
  const title = opts.title ?? '春江花月夜'
  const opf = `<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
 <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:identifier id="uid">urn:isbn:${opts.isbn ?? '9787020002207'}</dc:identifier>
  <dc:title>${title}</dc:title>
  <dc:creator>${opts.creator ?? '张若虚'}</dc:creator>
  <dc:language>zh-CN</dc:language>
  <dc:publisher>人民文学出版社</dc:publisher>
  <dc:date>1998-05-01</dc:date>
  <dc:subject>唐诗</dc:subject>
  <dc:description>孤篇横绝，竟为大家。</dc:description>
  <meta property="dcterms:modified">2026-01-01T00:00:00Z</meta>
 </metadata>
 <manifest>
  <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
  <item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/>
  <item id="c2" href="c2.xhtml" media-type="application/xhtml+xml"/>
  <item id="cover" href="cover.png" media-type="image/png" properties="cover-image"/>
 </manifest>
 <spine><itemref idref="c1"/><itemref idref="c2"/></spine>
</package>`
  const nav = `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><body><nav epub:type="toc"><ol><li><a href="c1.xhtml">第一章 春江</a></li><li><a href="c2.xhtml#p2">第二章 花月</a></li></ol></nav></body></html>`
  const chapter = (n: number) =>
    `<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>春江潮水连海平，海上明月共潮生。${n}</p></body></html>`
  return [
    { name: 'mimetype', data: 'application/epub+zip', store: true },
    { name: 'META-INF/container.xml', data: container },
    { name: 'OEBPS/content.opf', data: opf },
    { name: 'OEBPS/nav.xhtml', data: nav },
    { name: 'OEBPS/c1.xhtml', data: chapter(1) },
    { name: 'OEBPS/c2.xhtml', data: chapter(2) },
    { name: 'OEBPS/cover.png', data: png },
  ]
}

export const epub = (opts?: Parameters<typeof epubEntries>[0]) => zip(epubEntries(opts))

/** A PDF with `pages` empty pages and a correct cross-reference table. */
export function pdf(pages = 3): Buffer {
  const objects: string[] = []
  const kids = Array.from({ length: pages }, (_, i) => `${3 + i} 0 R`).join(' ')
  objects.push('<< /Type /Catalog /Pages 2 0 R >>')
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`)
  for (let i = 0; i < pages; i++) objects.push('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>')
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
  const offsets: number[] = []
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'))
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/** About `seconds` of silent MPEG-1 Layer III at 128 kbit/s, 44.1 kHz, with an ID3v2 title. */
export function mp3(seconds = 3): Buffer {
  const frameLength = 417 // 144 * 128000 / 44100, no padding
  const frames = Math.round((seconds * 44100) / 1152)
  const frame = Buffer.alloc(frameLength)
  frame.writeUInt32BE(0xfffb9000, 0) // sync, MPEG-1, Layer III, no CRC, 128 kbit/s, 44.1 kHz
  frame[3] = 0xc4 // mono, original
  const title = Buffer.from('\u0003静夜思', 'utf8')
  const tit2 = Buffer.alloc(10)
  tit2.write('TIT2', 0)
  tit2.writeUInt32BE(title.length, 4)
  const id3 = Buffer.alloc(10)
  id3.write('ID3', 0)
  id3[3] = 4
  const tagSize = tit2.length + title.length
  id3[6] = (tagSize >> 21) & 0x7f
  id3[7] = (tagSize >> 14) & 0x7f
  id3[8] = (tagSize >> 7) & 0x7f
  id3[9] = tagSize & 0x7f
  return Buffer.concat([id3, tit2, title, ...Array.from({ length: frames }, () => frame)])
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload)
  const head = Buffer.alloc(8)
  head.writeUInt32BE(8 + body.length, 0)
  head.write(type, 4, 'latin1')
  return Buffer.concat([head, body])
}

/** An MP4 container (ftyp, moov/mvhd with a duration, mdat) of `seconds`. */
export function mp4(seconds = 5): Buffer {
  const ftyp = box(
    'ftyp',
    Buffer.from('isom', 'latin1'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2mp41', 'latin1'),
  )
  const mvhd = Buffer.alloc(100)
  mvhd.writeUInt32BE(1000, 12) // timescale
  mvhd.writeUInt32BE(seconds * 1000, 16) // duration
  mvhd.writeUInt32BE(0x00010000, 20) // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24) // volume 1.0
  for (const [i, v] of [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].entries())
    mvhd.writeUInt32BE(v, 36 + i * 4)
  mvhd.writeUInt32BE(2, 96) // next track id
  const moov = box('moov', box('mvhd', mvhd))
  return Buffer.concat([ftyp, moov, box('mdat', Buffer.alloc(4096))])
}
