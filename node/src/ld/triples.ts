/**
 * @module ld/triples
 * Records as RDF/JS quads (n3's DataFactory), one function per kind of subject. Works and
 * courses speak schema.org and Dublin Core terms, subjects and 中图法 classes SKOS, persons
 * schema.org and FOAF; an ISBN (or an authority URI) is an `owl:sameAs` link.
 *
 * Every function returns only the quads whose subject is its thing: a subject's quads can be
 * replaced as a unit (the SPARQL store does so on every change).
 *
 * Every work is typed both `schema:CreativeWork` and its subclass: a SPARQL query for
 * `?w a schema:CreativeWork` runs without inference and would miss a bare `schema:Book`.
 */
import { DataFactory } from 'n3'
import type { NamedNode, Quad, Quad_Object } from '@rdfjs/types'
import { LD_PREFIXES, ldNameId, ldUri, type LdKind, type Resource } from '@shulin/protocol'
import type { ActivityRecord } from '../activities/store.js'

const { namedNode, literal, quad } = DataFactory

const ns =
  (base: string) =>
  (local: string): NamedNode =>
    namedNode(base + local)
export const schema = ns(LD_PREFIXES.schema)
export const dcterms = ns(LD_PREFIXES.dcterms)
export const dcmitype = ns(LD_PREFIXES.dcmitype)
export const skos = ns(LD_PREFIXES.skos)
export const foaf = ns(LD_PREFIXES.foaf)
export const owl = ns(LD_PREFIXES.owl)
export const rdf = ns(LD_PREFIXES.rdf)
export const rdfs = ns(LD_PREFIXES.rdfs)
export const xsd = ns(LD_PREFIXES.xsd)
export const voidNs = ns(LD_PREFIXES.void)
const a = rdf('type')

/** The schema.org subclass of CreativeWork each resource type is, and its DCMI type. */
const TYPES: Record<Resource['type'], { schema: string; dcmi: string }> = {
  book: { schema: 'Book', dcmi: 'Text' },
  audiobook: { schema: 'Audiobook', dcmi: 'Sound' },
  journal: { schema: 'Periodical', dcmi: 'Text' },
  'journal-issue': { schema: 'PublicationIssue', dcmi: 'Text' },
  article: { schema: 'ScholarlyArticle', dcmi: 'Text' },
  'image-set': { schema: 'ImageGallery', dcmi: 'StillImage' },
  video: { schema: 'VideoObject', dcmi: 'MovingImage' },
  course: { schema: 'Course', dcmi: 'InteractiveResource' },
  lecture: { schema: 'VideoObject', dcmi: 'MovingImage' },
}

/** The URI kind of a record: courses and lectures have their own, everything else is a resource. */
export function recordKind(type: Resource['type']): LdKind {
  return type === 'course' ? 'course' : type === 'lecture' ? 'lecture' : 'resource'
}

/** Where a reader opens the record in the portal (the reader pages the web UI already has). */
export function portalPath(kind: LdKind, id: string): string {
  const e = encodeURIComponent(id)
  if (kind === 'course') return `/courses/${e}`
  if (kind === 'lecture') return `/lectures/${e}`
  if (kind === 'resource') return `/r/${e}`
  if (kind === 'library') return '/'
  if (kind === 'activity') return `/activities/${e}`
  return `/entity/${kind}/${encodeURIComponent(kind === 'class' ? id : ldNameId(id))}`
}

/** A thing the records name: a person, subject, class or place, by its id in the URI space. */
export interface NamedThing {
  kind: 'person' | 'subject' | 'class' | 'place'
  id: string
}

/** The named things a record links to (persons: creators and speakers). */
export function namedIn(r: Resource): NamedThing[] {
  const out = new Map<string, NamedThing>()
  const add = (kind: NamedThing['kind'], raw: string) => {
    const id = kind === 'class' ? raw.trim() : ldNameId(raw)
    if (id) out.set(`${kind}\u0000${id}`, { kind, id })
  }
  r.metadata.creators.forEach((n) => add('person', n))
  r.course?.speakers.forEach((p) => add('person', p.name))
  r.lecture?.speakers.forEach((p) => add('person', p.name))
  r.metadata.subjects.forEach((s) => add('subject', s))
  if (r.metadata.clc) add('class', r.metadata.clc)
  return [...out.values()]
}

/** The named things an activity links to: the place it is held. */
export function namedInActivity(rec: ActivityRecord): NamedThing[] {
  const place = rec.request.location ? ldNameId(rec.request.location) : ''
  return place ? [{ kind: 'place', id: place }] : []
}

/** The schema.org type of each kind of activity (a recitation contest is an event too). */
const EVENT_TYPES: Record<NonNullable<ActivityRecord['request']['eventKind']> | 'recitation', string> = {
  recitation: 'Event',
  lecture: 'EducationEvent',
  exhibition: 'ExhibitionEvent',
  'reading-club': 'SocialEvent',
  other: 'Event',
}

export interface ActivityContext {
  /** The activity's URI (its organiser's, for a national activity from the hub). */
  uri: string
  /** This node's origin: the place it links to. */
  origin: string
  /** The organising library's URI. */
  organiser: string
  /** Where a reader opens it in this node's portal. */
  portal: string
  /** The URIs of the works it reads (a recitation's texts). */
  works: string[]
}

/** The quads of a published activity: an event with its dates, place, organiser and texts. */
export function activityQuads(rec: ActivityRecord, ctx: ActivityContext): Quad[] {
  const s = namedNode(ctx.uri)
  const out: Quad[] = []
  const add = (p: NamedNode, o: Quad_Object) => out.push(quad(s, p, o))
  const req = rec.request
  add(a, schema('Event'))
  const sub = EVENT_TYPES[req.kind === 'recitation' ? 'recitation' : (req.eventKind ?? 'other')]
  if (sub !== 'Event') add(a, schema(sub))
  add(dcterms('title'), literal(req.title, 'zh'))
  add(schema('name'), literal(req.title, 'zh'))
  if (req.description) add(schema('description'), literal(req.description, 'zh'))
  // The whole activity: from its first window's start to its last window's end.
  const windows = Object.values(req.phases).filter((w): w is { from: string; to: string } => !!w)
  if (windows.length) {
    const from = windows.map((w) => w.from).sort()[0]!
    const to = windows
      .map((w) => w.to)
      .sort()
      .at(-1)!
    add(schema('startDate'), literal(from, xsd('dateTime')))
    add(schema('endDate'), literal(to, xsd('dateTime')))
  }
  for (const t of namedInActivity(rec)) add(schema('location'), namedNode(ldUri(ctx.origin, t.kind, t.id)))
  add(schema('organizer'), namedNode(ctx.organiser))
  for (const w of ctx.works) add(schema('workFeatured'), namedNode(w))
  if (req.capacity) add(schema('maximumAttendeeCapacity'), literal(String(req.capacity), xsd('integer')))
  add(dcterms('modified'), literal(rec.updatedAt, xsd('dateTime')))
  add(schema('url'), namedNode(ctx.portal))
  return out
}

/** A `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date as its XSD literal. */
function dateLiteral(d: string) {
  const type = d.length === 4 ? 'gYear' : d.length === 7 ? 'gYearMonth' : 'date'
  return literal(d, xsd(type))
}

/**
 * The URI an identifier names the same work by: an ISBN URN, a DOI (as its resolver URI), an
 * ISSN URN for a journal (an ISSN names the serial, not an issue or article), an authority URI.
 * A `local:` id is this library's alone, so it is only a `dcterms:identifier`.
 */
export function sameAs(id: string, type: Resource['type']): string | undefined {
  if (id.startsWith('urn:isbn:')) return id
  if (id.startsWith('urn:issn:')) return type === 'journal' ? id : undefined
  const doi = /^doi:(10\..+)$/i.exec(id)
  const uri = doi ? `https://doi.org/${doi[1]}` : id
  // Only what is a valid IRI as it stands: a Turtle or N-Triples dump must parse.
  return /^https?:\/\/[^\s<>"{}|\\^`]+$/i.test(uri) ? uri : undefined
}

export interface RecordContext {
  /** The origin the record's own URI is under (its publisher's, for a taken-in record). */
  recordOrigin: string
  /** This node's origin: the named things the record links to, and its portal page. */
  origin: string
  /** The publishing library's URI. */
  library: string
}

/** The quads of a published record (resource, course or lecture). */
export function recordQuads(r: Resource, ctx: RecordContext): Quad[] {
  const kind = recordKind(r.type)
  const s = namedNode(ldUri(ctx.recordOrigin, kind, r.id))
  const out: Quad[] = []
  const add = (p: NamedNode, o: Quad_Object) => out.push(quad(s, p, o))
  const m = r.metadata
  const lang = m.language
  const text = (v: string) => literal(v, lang)
  const t = TYPES[r.type]
  add(a, schema('CreativeWork'))
  add(a, schema(t.schema))
  if (r.type === 'lecture') add(a, schema('LearningResource'))
  add(dcterms('type'), dcmitype(t.dcmi))
  add(dcterms('title'), text(m.title))
  add(schema('name'), text(m.title))
  for (const c of m.creators) {
    const p = namedNode(ldUri(ctx.origin, 'person', c))
    add(dcterms('creator'), p)
    add(schema('author'), p)
  }
  for (const sp of [...(r.course?.speakers ?? []), ...(r.lecture?.speakers ?? [])]) {
    const p = namedNode(ldUri(ctx.origin, 'person', sp.name))
    add(dcterms('contributor'), p)
    add(schema('contributor'), p)
  }
  for (const sub of m.subjects) {
    const c = namedNode(ldUri(ctx.origin, 'subject', sub))
    add(dcterms('subject'), c)
    add(schema('about'), c)
  }
  if (m.clc) add(dcterms('subject'), namedNode(ldUri(ctx.origin, 'class', m.clc.trim())))
  if (m.description) add(dcterms('description'), text(m.description))
  if (m.publisher) add(dcterms('publisher'), text(m.publisher))
  if (m.date) add(dcterms('issued'), dateLiteral(m.date))
  add(dcterms('language'), literal(lang))
  add(schema('inLanguage'), literal(lang))
  for (const id of m.identifiers) {
    add(dcterms('identifier'), literal(id))
    const same = sameAs(id, r.type)
    if (same) add(owl('sameAs'), namedNode(same))
  }
  if (m.series) add(schema('isPartOf'), literal(m.series))
  if (m.extent?.pages) add(schema('numberOfPages'), literal(String(m.extent.pages), xsd('integer')))
  if (m.extent?.durationSeconds !== undefined)
    add(schema('duration'), literal(`PT${Math.round(m.extent.durationSeconds)}S`, xsd('duration')))
  if (m.rights) add(dcterms('rights'), text(m.rights))
  if (r.parentId) {
    // A lecture's course, an issue's journal, an article's issue: under the same publisher.
    const parentKind = r.type === 'lecture' ? 'course' : 'resource'
    add(dcterms('isPartOf'), namedNode(ldUri(ctx.recordOrigin, parentKind, r.parentId)))
  }
  if (r.type === 'lecture' && r.lecture) add(schema('position'), literal(String(r.lecture.position), xsd('integer')))
  if (r.course?.audience) add(schema('audience'), text(r.course.audience))
  if (r.course?.level) add(schema('educationalLevel'), literal(r.course.level))
  add(schema('provider'), namedNode(ctx.library))
  if (r.publishedAt) add(dcterms('available'), literal(r.publishedAt, xsd('dateTime')))
  add(dcterms('modified'), literal(r.updatedAt, xsd('dateTime')))
  add(schema('url'), namedNode(ctx.recordOrigin + portalPath(kind, r.id)))
  return out
}

/** The quads of a named thing (person, subject, class, place), as this node knows it. */
export function namedQuads(origin: string, thing: NamedThing): Quad[] {
  const s = namedNode(ldUri(origin, thing.kind, thing.id))
  const out: Quad[] = []
  const add = (p: NamedNode, o: Quad_Object) => out.push(quad(s, p, o))
  const name = literal(thing.id)
  switch (thing.kind) {
    case 'person':
      add(a, schema('Person'))
      add(a, foaf('Person'))
      add(schema('name'), name)
      add(foaf('name'), name)
      break
    case 'subject':
      add(a, skos('Concept'))
      add(skos('prefLabel'), name)
      add(schema('name'), name)
      break
    case 'class':
      add(a, skos('Concept'))
      add(skos('notation'), name)
      add(skos('prefLabel'), name)
      break
    case 'place':
      add(a, schema('Place'))
      add(a, dcterms('Location'))
      add(schema('name'), name)
      break
  }
  add(schema('url'), namedNode(origin + portalPath(thing.kind, thing.id)))
  return out
}

/** The quads of a library (a node): its name and portal. */
export function libraryQuads(uri: string, portal: string, name: string | undefined): Quad[] {
  const s = namedNode(uri)
  const out = [
    quad(s, a, schema('Library')),
    quad(s, a, foaf('Organization')),
    quad(s, schema('url'), namedNode(portal)),
  ]
  if (name) out.push(quad(s, schema('name'), literal(name)), quad(s, foaf('name'), literal(name)))
  return out
}
