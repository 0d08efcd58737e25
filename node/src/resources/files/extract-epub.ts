/**
 * @module resources/files/extract-epub
 * What an EPUB says about itself: OPF metadata (Dublin Core), the table of contents (EPUB 3
 * nav document or EPUB 2 NCX) and the cover image.
 */
import { posix } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import type { Chapter, Metadata } from '@shulin/protocol'
import { canonicalIdentifier } from '@shulin/protocol'
import { openCheckedZip, UnsafeZip } from './zip-guard.js'

export interface Extracted {
  metadata: Partial<Metadata>
  toc: Chapter[]
  cover?: { bytes: Buffer; mediaType: string }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  textNodeName: '#text',
  processEntities: true,
  htmlEntities: true,
})

type Node = Record<string, unknown>
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])
const text = (v: unknown): string => {
  if (typeof v === 'string' || typeof v === 'number') return String(v).trim()
  if (v && typeof v === 'object' && '#text' in v) return String((v as Node)['#text']).trim()
  return ''
}
const texts = (v: unknown) => list(v).map(text).filter(Boolean)

function parse(buf: Buffer | undefined, what: string): Node {
  if (!buf) throw new UnsafeZip(`missing ${what}`)
  try {
    return parser.parse(buf.toString('utf8')) as Node
  } catch {
    throw new UnsafeZip(`${what} is not well-formed XML`)
  }
}

/** Flattens nested <ol><li><a> of a nav document, or navPoints of an NCX. */
function navChapters(node: unknown, base: string, out: Chapter[]): void {
  for (const li of list(node)) {
    if (!li || typeof li !== 'object') continue
    const n = li as Node
    const a = (n.a ?? n.span) as Node | undefined
    const label = text(a) || text((n.navLabel as Node | undefined)?.text)
    const href =
      (a?.['@href'] as string | undefined) ?? ((n.content as Node | undefined)?.['@src'] as string | undefined)
    if (label && out.length < 2000)
      out.push({ title: label.slice(0, 500), start: out.length, ...(href ? { href: posix.join(base, href) } : {}) })
    navChapters((n.ol as Node | undefined)?.li, base, out)
    navChapters(n.navPoint, base, out)
  }
}

function findNav(node: unknown): Node | undefined {
  if (!node || typeof node !== 'object') return undefined
  for (const [k, v] of Object.entries(node as Node)) {
    if (k === 'nav')
      for (const n of list(v)) if ((n as Node)['@type'] === 'toc' || list(v).length === 1) return n as Node
    if (typeof v === 'object') {
      const found = findNav(v)
      if (found) return found
    }
  }
  return undefined
}

export async function extractEpub(path: string): Promise<Extracted> {
  const zip = await openCheckedZip(path)
  try {
    const mimetype = (await zip.read('mimetype', 100))?.toString('ascii').trim()
    if (mimetype !== 'application/epub+zip') throw new UnsafeZip('the mimetype entry is not application/epub+zip')
    const container = parse(await zip.read('META-INF/container.xml'), 'META-INF/container.xml')
    const rootfile = list(((container.container as Node)?.rootfiles as Node)?.rootfile)[0] as Node | undefined
    const opfPath = rootfile?.['@full-path'] as string | undefined
    if (!opfPath) throw new UnsafeZip('container.xml names no package document')
    const base = posix.dirname(opfPath)
    const pkg = parse(await zip.read(opfPath), opfPath).package as Node
    const md = (pkg?.metadata ?? {}) as Node
    const manifest = list((pkg?.manifest as Node)?.item) as Node[]

    const identifiers = texts(md.identifier)
      .map(canonicalIdentifier)
      .filter((x): x is string => !!x && !x.startsWith('local:urn:uuid'))
    const date = texts(md.date)[0]?.match(/^\d{4}(-\d{2}(-\d{2})?)?/)?.[0]
    const metadata: Partial<Metadata> = {
      ...(texts(md.title)[0] ? { title: texts(md.title)[0]!.slice(0, 500) } : {}),
      ...(texts(md.creator).length
        ? {
            creators: texts(md.creator)
              .slice(0, 100)
              .map((s) => s.slice(0, 200)),
          }
        : {}),
      ...(texts(md.subject).length
        ? {
            subjects: texts(md.subject)
              .slice(0, 100)
              .map((s) => s.slice(0, 100)),
          }
        : {}),
      ...(texts(md.description)[0] ? { description: texts(md.description)[0]!.slice(0, 20_000) } : {}),
      ...(texts(md.publisher)[0] ? { publisher: texts(md.publisher)[0]!.slice(0, 200) } : {}),
      ...(date ? { date } : {}),
      ...(texts(md.language)[0] && /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(texts(md.language)[0]!)
        ? { language: texts(md.language)[0]! }
        : {}),
      ...(identifiers.length ? { identifiers: identifiers.slice(0, 50) } : {}),
    }

    const toc: Chapter[] = []
    const navItem = manifest.find((i) =>
      String(i['@properties'] ?? '')
        .split(/\s+/)
        .includes('nav'),
    )
    const ncxItem = manifest.find((i) => i['@media-type'] === 'application/x-dtbncx+xml')
    if (navItem) {
      const navPath = posix.join(base, String(navItem['@href']))
      const nav = findNav(parse(await zip.read(navPath), navPath))
      navChapters((nav?.ol as Node | undefined)?.li, posix.dirname(navPath), toc)
    } else if (ncxItem) {
      const ncxPath = posix.join(base, String(ncxItem['@href']))
      const ncx = parse(await zip.read(ncxPath), ncxPath)
      navChapters(((ncx.ncx as Node)?.navMap as Node)?.navPoint, posix.dirname(ncxPath), toc)
    }

    const coverId = list(md.meta)
      .map((m) => m as Node)
      .find((m) => m['@name'] === 'cover')?.['@content']
    const coverItem =
      manifest.find((i) =>
        String(i['@properties'] ?? '')
          .split(/\s+/)
          .includes('cover-image'),
      ) ?? manifest.find((i) => i['@id'] === coverId)
    const coverType = String(coverItem?.['@media-type'] ?? '')
    const coverBytes =
      coverItem && /^image\/(jpeg|png|webp|gif)$/.test(coverType)
        ? await zip.read(posix.join(base, String(coverItem['@href'])), 10 * 1024 ** 2)
        : undefined
    return { metadata, toc, ...(coverBytes ? { cover: { bytes: coverBytes, mediaType: coverType } } : {}) }
  } finally {
    zip.close()
  }
}
