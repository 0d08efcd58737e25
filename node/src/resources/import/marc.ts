/**
 * @module resources/import/marc
 * MARC bibliographic records — MARC 21 or CNMARC (the Chinese UNIMARC), in ISO 2709 or
 * MARCXML — as import records. Which fields mean what:
 *
 * | | MARC 21 | CNMARC |
 * |---|---|---|
 * | title | 245 $a $b | 200 $a $e |
 * | creators | 100/110/700/710 $a | 200 $f, 701/702/711 $a |
 * | subjects | 600/650/651 $a | 606/610 $a |
 * | ISBN / ISSN | 020 / 022 $a | 010 / 011 $a |
 * | publisher, date | 260/264 $b $c | 210 $c $d |
 * | description | 520 $a | 330 $a |
 * | language | 041 $a, 008/35-37 | 101 $a |
 * | series | 490/830 $a | 225 $a |
 * | pages | 300 $a | 215 $a |
 * | 中图法 | 093 $a, 084 $a ($2 clc) | 690 $a |
 */
import type { Readable } from 'node:stream'
import { iso2709Records, type MarcRecord } from './iso2709.js'
import { parseMarcxmlRecord } from './marcxml.js'
import type { ImportItem } from './source.js'

const languages: Record<string, string> = {
  chi: 'zh',
  zho: 'zh',
  eng: 'en',
  jpn: 'ja',
  kor: 'ko',
  rus: 'ru',
  fre: 'fr',
  fra: 'fr',
  ger: 'de',
  deu: 'de',
  mon: 'mn',
  tib: 'bo',
  bod: 'bo',
  uig: 'ug',
  spa: 'es',
}

const subs = (r: MarcRecord, tags: string[], codes: string): string[] =>
  r.fields
    .filter((f) => tags.includes(f.tag))
    .flatMap((f) =>
      (f.subfields ?? [])
        .filter(([c]) => codes.includes(c))
        .map(([, v]) => v.trim())
        .filter(Boolean),
    )
const first = (r: MarcRecord, tags: string[], codes: string) => subs(r, tags, codes)[0]
/** ISBD punctuation that cataloguers put at the end of subfields. */
const tidy = (s: string | undefined) => s?.replace(/[\s/:;,=.]+$/, '').trim() || undefined
const year = (s: string | undefined) => s?.match(/\d{4}/)?.[0]
const pages = (s: string | undefined) => {
  const m = s?.match(/(\d+)\s*(页|p|P|pages)/)
  return m ? Number(m[1]) : undefined
}

export function mapMarc(r: MarcRecord, flavour: 'marc21' | 'cnmarc'): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== '' && !(Array.isArray(v) && !v.length)) out[k] = v
  }
  if (flavour === 'cnmarc') {
    const t = r.fields.find((f) => f.tag === '200')
    const a = t?.subfields?.find(([c]) => c === 'a')?.[1]
    const e = t?.subfields?.find(([c]) => c === 'e')?.[1]
    set('title', tidy([a, e].filter(Boolean).join(' : ')))
    set('creators', [...subs(r, ['200'], 'f'), ...subs(r, ['701', '702', '711'], 'a')].map(tidy).filter(Boolean))
    set('subjects', subs(r, ['606', '610'], 'a').map(tidy))
    set('identifiers', [
      ...subs(r, ['010'], 'a').map((v) => `ISBN ${v}`),
      ...subs(r, ['011'], 'a').map((v) => `ISSN ${v}`),
    ])
    set('publisher', tidy(first(r, ['210'], 'c')))
    set('date', year(first(r, ['210'], 'd')))
    set('description', first(r, ['330'], 'a'))
    set('language', languages[first(r, ['101'], 'a') ?? ''])
    set('series', tidy(first(r, ['225'], 'a')))
    set('clc', first(r, ['690'], 'a'))
    const p = pages(first(r, ['215'], 'a'))
    if (p) out.extent = { pages: p }
  } else {
    set('title', tidy([first(r, ['245'], 'a'), first(r, ['245'], 'b')].map(tidy).filter(Boolean).join(' : ')))
    set('creators', subs(r, ['100', '110', '700', '710'], 'a').map(tidy).filter(Boolean))
    set('subjects', subs(r, ['600', '650', '651'], 'a').map(tidy))
    set('identifiers', [
      ...subs(r, ['020'], 'a').map((v) => `ISBN ${v.split(/\s/)[0]}`),
      ...subs(r, ['022'], 'a').map((v) => `ISSN ${v}`),
    ])
    set('publisher', tidy(first(r, ['264', '260'], 'b')))
    set('date', year(first(r, ['264', '260'], 'c')))
    set('description', first(r, ['520'], 'a'))
    const f008 = r.fields.find((f) => f.tag === '008')?.value
    set('language', languages[first(r, ['041'], 'a') ?? f008?.slice(35, 38) ?? ''])
    set('series', tidy(first(r, ['490', '830'], 'a')))
    const clc084 = r.fields
      .filter((f) => f.tag === '084' && f.subfields?.some(([c, v]) => c === '2' && /clc/i.test(v)))
      .flatMap((f) => f.subfields!.filter(([c]) => c === 'a').map(([, v]) => v))
    set('clc', first(r, ['093'], 'a') ?? clc084[0])
    set('rights', first(r, ['506', '540'], 'a'))
    const p = pages(first(r, ['300'], 'a'))
    if (p) out.extent = { pages: p }
  }
  return out
}

const detect = (r: MarcRecord): 'marc21' | 'cnmarc' =>
  r.fields.some((f) => f.tag === '200') && !r.fields.some((f) => f.tag === '245') ? 'cnmarc' : 'marc21'

/** MARCXML records one at a time (split at `</record>`), each parsed by {@link parseMarcxmlRecord}. */
async function* marcxmlRecords(
  input: Readable | AsyncIterable<Uint8Array>,
): AsyncGenerator<{ n: number; record: MarcRecord } | { n: number; error: string }> {
  const decoder = new TextDecoder('utf-8')
  let text = ''
  let n = 0
  const endRe = /<\/(?:[\w-]+:)?record\s*>/
  for await (const chunk of input) {
    text += decoder.decode(chunk as Uint8Array, { stream: true })
    if (text.length > 10 * 1024 * 1024 && !endRe.test(text)) throw new Error('a MARCXML record longer than 10 MiB')
    for (let m = endRe.exec(text); m; m = endRe.exec(text)) {
      const end = m.index + m[0].length
      const startAt = text.search(/<(?:[\w-]+:)?record[\s>]/)
      const xml = startAt >= 0 && startAt < end ? text.slice(startAt, end) : ''
      text = text.slice(end)
      n++
      try {
        if (!xml) throw new Error('a </record> without its <record>')
        yield { n, record: parseMarcxmlRecord(xml) }
      } catch (err) {
        yield { n, error: `MARCXML record ${n}: ${(err as Error).message}` }
      }
    }
  }
  if (/<(?:[\w-]+:)?record[\s>]/.test(text)) yield { n: n + 1, error: 'the file ends in the middle of a record' }
}

export async function* readMarc(
  input: Readable | AsyncIterable<Uint8Array>,
  opts: { format: 'iso2709' | 'marcxml'; flavour?: 'marc21' | 'cnmarc' | 'auto' },
): AsyncGenerator<ImportItem> {
  const records = opts.format === 'marcxml' ? marcxmlRecords(input) : iso2709Records(input)
  for await (const item of records) {
    if ('error' in item) yield item
    else
      yield {
        n: item.n,
        value: mapMarc(item.record, !opts.flavour || opts.flavour === 'auto' ? detect(item.record) : opts.flavour),
      }
  }
}
