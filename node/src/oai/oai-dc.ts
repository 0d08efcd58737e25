/**
 * @module oai/oai-dc
 * A resource record as simple Dublin Core (`oai_dc`), the format every harvester reads.
 */
import type { Resource } from '@shulin/protocol'
import { el } from '../xml/escape.js'

/** DCMI Type Vocabulary terms, followed by the local type. */
const dcmiTypes: Record<Resource['type'], string> = {
  book: 'Text',
  article: 'Text',
  journal: 'Text',
  'journal-issue': 'Text',
  audiobook: 'Sound',
  video: 'MovingImage',
  'image-set': 'StillImage',
  course: 'Collection',
  lecture: 'MovingImage',
}

export function oaiDc(r: Resource, landingUrl: string): string {
  const m = r.metadata
  const dc = (name: string, v: string | undefined) => (v ? el(`dc:${name}`, {}, v) : '')
  const parts = [
    dc('title', m.title),
    ...m.creators.map((c) => dc('creator', c)),
    ...m.subjects.map((s) => dc('subject', s)),
    m.clc ? el('dc:subject', {}, `CLC ${m.clc}`) : '',
    dc('description', m.description),
    dc('publisher', m.publisher),
    dc('date', m.date),
    dc('type', dcmiTypes[r.type]),
    dc('type', r.type),
    ...r.files.filter((f) => f.role === 'content').map((f) => dc('format', f.mediaType)),
    ...m.identifiers.map((i) => dc('identifier', i)),
    dc('identifier', landingUrl),
    dc('language', m.language),
    dc('relation', m.series),
    dc('rights', m.rights),
  ]
  return (
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">' +
    parts.join('') +
    '</oai_dc:dc>'
  )
}
