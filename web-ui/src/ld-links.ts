/**
 * @module ld-links
 * Where the knowledge cards link: a catalogue record to the page that shows it (as a search
 * hit opens), a named thing to its entity page — the page `/ld/{kind}/{id}` sends a browser to.
 */
import type { ResourceType } from '@shulin/protocol'
import { hitHref } from './links.js'

/** Where a catalogue record opens: a lecture in its player, a course on its page, anything else on `/r/:id`. */
export function recordHref(r: { id: string; type: ResourceType }): string {
  return hitHref({ id: r.id, type: r.type })
}

/** A knowledge card's page: `/entity/{kind}/{id}` (a person, subject or place by name, a class by number). */
export function entityHref(kind: string, id: string): string {
  return `/entity/${kind}/${encodeURIComponent(id)}`
}
