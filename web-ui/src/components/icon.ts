/**
 * @module components/icon
 * Draws a Lucide icon (the `IconNode` data of one icon, imported on its own) as inline SVG in
 * the current colour. Icons here are decoration beside a visible label, so they are hidden
 * from screen readers.
 */
import { html, type TemplateResult } from 'lit'
import { unsafeSVG } from 'lit/directives/unsafe-svg.js'
import type { IconNode } from 'lucide'

const escape = (v: string | number) =>
  String(v).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
const markup = new WeakMap<IconNode, string>()

/** The icon's shapes as SVG markup, made once per icon (the data is the package's, not user input). */
function shapes(node: IconNode): string {
  let m = markup.get(node)
  if (m === undefined) {
    m = node
      .map(([tag, attrs]) => {
        const a = Object.entries(attrs)
          .filter(([k, v]) => v !== undefined && k !== 'key')
          .map(([k, v]) => ` ${k}="${escape(v!)}"`)
          .join('')
        return `<${tag}${a}/>`
      })
      .join('')
    markup.set(node, m)
  }
  return m
}

export function icon(node: IconNode, size = 24): TemplateResult {
  return html`<svg class="icon" xmlns="http://www.w3.org/2000/svg" width=${size} height=${size} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${unsafeSVG(shapes(node))}</svg>`
}
