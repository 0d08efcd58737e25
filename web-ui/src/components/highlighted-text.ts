/**
 * @module components/highlighted-text
 * Renders text with the search engine's marks (offset pairs) as `<mark>`: built from text
 * nodes, never from HTML, so a record's title cannot inject markup.
 */
import { html, type TemplateResult } from 'lit'

export function highlighted(
  h: { text: string; marks: Array<[number, number]> } | undefined,
  fallback = '',
): TemplateResult {
  if (!h) return html`${fallback}`
  const out: Array<TemplateResult | string> = []
  let at = 0
  for (const [s, e] of h.marks) {
    if (s < at || e > h.text.length) continue
    out.push(h.text.slice(at, s), html`<mark>${h.text.slice(s, e)}</mark>`)
    at = e
  }
  out.push(h.text.slice(at))
  return html`${out}`
}
