/**
 * @module harvest/records
 * A harvested record's metadata as an import record: `oai_dc` element by element, `marcxml`
 * through the MARC import's own field mapping. The repository's OAI identifier is added to the
 * record's identifiers, so the next harvest finds the same record here (update, withdraw).
 * Values this node cannot hold as given (a date `2019年`, a language `chi`) are tidied or left
 * off rather than losing the record; the import schema still has the last word.
 */
import { canonicalIdentifier, resourceTypeFromDc, type ResourceType } from '@shulin/protocol'
import { mapMarc } from '../resources/import/marc.js'
import type { MarcField } from '../resources/import/iso2709.js'
import { childrenOf, nameOf, textOf, type OaiNode } from './oai-client.js'

export type HarvestFormat = 'oai_dc' | 'marcxml'

/** How a harvested record is known here: its OAI identifier, kept among its identifiers. */
export const harvestIdentifier = (oaiIdentifier: string) => canonicalIdentifier(oaiIdentifier) ?? oaiIdentifier

const iso639 = new Map([
  ['chi', 'zh'],
  ['zho', 'zh'],
  ['eng', 'en'],
  ['jpn', 'ja'],
  ['fre', 'fr'],
  ['fra', 'fr'],
  ['ger', 'de'],
  ['deu', 'de'],
  ['rus', 'ru'],
])
function language(v: string | undefined): string | undefined {
  if (!v) return undefined
  const t = v.trim().toLowerCase()
  if (iso639.has(t)) return iso639.get(t)
  return /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(t) ? t : undefined
}

/** `2019-05-04T…`, `2019年5月` → `2019-05-04`, `2019`: the date forms the schema keeps. */
function date(v: string | undefined): string | undefined {
  const m = v && /(\d{4})(?:[-/年.](\d{1,2})(?:[-/月.](\d{1,2}))?)?/.exec(v)
  if (!m) return undefined
  const pad = (s: string) => s.padStart(2, '0')
  const month = m[2] && Number(m[2]) >= 1 && Number(m[2]) <= 12 ? pad(m[2]) : undefined
  const day = month && m[3] && Number(m[3]) >= 1 && Number(m[3]) <= 31 ? pad(m[3]) : undefined
  return [m[1], month, day].filter(Boolean).join('-')
}

/** A node type named among the values (another Shulin node writes its own beside the DCMI term), else the first one known. */
function typeOf(values: string[]): ResourceType {
  const types = values.map(resourceTypeFromDc).filter((t): t is ResourceType => !!t)
  // Course and lecture need their own fields, which Dublin Core does not carry.
  const usable = types.filter((t) => t !== 'course' && t !== 'lecture')
  return usable.find((t, i) => t !== 'book' || i === usable.length - 1) ?? usable[0] ?? 'book'
}

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s)

function fromDc(nodes: OaiNode[]): Record<string, unknown> {
  const dc = nodes.find((n) => nameOf(n) === 'dc')
  const values = new Map<string, string[]>()
  for (const n of dc ? childrenOf(dc) : []) {
    const v = textOf(n)
    if (v) values.set(nameOf(n), [...(values.get(nameOf(n)) ?? []), v])
  }
  const all = (k: string) => values.get(k) ?? []
  const first = (k: string) => all(k)[0]
  const description = all('description').join('\n\n')
  return {
    title: clip(first('title') ?? '', 500),
    creators: [...all('creator'), ...all('contributor')].slice(0, 100).map((s) => clip(s, 200)),
    subjects: all('subject')
      .filter((s) => !s.startsWith('CLC '))
      .slice(0, 100)
      .map((s) => clip(s, 100)),
    ...(all('subject').find((s) => s.startsWith('CLC '))
      ? {
          clc: all('subject')
            .find((s) => s.startsWith('CLC '))!
            .slice(4),
        }
      : {}),
    ...(description ? { description: clip(description, 20_000) } : {}),
    ...(first('publisher') ? { publisher: clip(first('publisher')!, 200) } : {}),
    ...(date(first('date')) ? { date: date(first('date')) } : {}),
    ...(language(first('language')) ? { language: language(first('language')) } : {}),
    ...(first('relation') ? { series: clip(first('relation')!, 200) } : {}),
    ...(first('rights') ? { rights: clip(all('rights').join('\n'), 2000) } : {}),
    type: typeOf(all('type')),
    // Only identifiers that are identifiers (URNs, URLs, DOIs, ISBNs); free text is not a key.
    identifiers: all('identifier').filter(
      (i) => canonicalIdentifier(i) && !canonicalIdentifier(i)!.startsWith('local:'),
    ),
  }
}

function fromMarcxml(nodes: OaiNode[]): Record<string, unknown> {
  const record = nodes.find((n) => nameOf(n) === 'record')
  let leader = ''
  const fields: MarcField[] = []
  for (const n of record ? childrenOf(record) : []) {
    const name = nameOf(n)
    const attrs = n[':@'] ?? {}
    if (name === 'leader') leader = textOf(n)
    else if (name === 'controlfield' && attrs.tag) fields.push({ tag: attrs.tag, value: textOf(n) })
    else if (name === 'datafield' && attrs.tag)
      fields.push({
        tag: attrs.tag,
        ind: `${attrs.ind1 ?? ' '}${attrs.ind2 ?? ' '}`.slice(0, 2),
        subfields: childrenOf(n)
          .filter((c) => nameOf(c) === 'subfield')
          .map((c): [string, string] => [c[':@']?.code ?? '', textOf(c)]),
      })
  }
  const out = mapMarc({ leader, fields }, 'marc21')
  return { ...out, identifiers: Array.isArray(out.identifiers) ? out.identifiers : [] }
}

/** The import record for a harvested record's metadata (validated by the import afterwards). */
export function toImportValue(
  format: HarvestFormat,
  oaiIdentifier: string,
  metadata: OaiNode[],
): Record<string, unknown> {
  const value = format === 'marcxml' ? fromMarcxml(metadata) : fromDc(metadata)
  const ids = (value.identifiers as string[]).filter((i) => canonicalIdentifier(i))
  // Its OAI identifier first: the key the next harvest finds it by; the rest up to the schema's 50.
  return { ...value, status: 'published', identifiers: [oaiIdentifier, ...ids.slice(0, 49)] }
}
