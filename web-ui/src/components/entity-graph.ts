/**
 * @module components/entity-graph
 * The small relation graph of an entity page: the thing in the middle, the persons and subjects
 * named beside it and a few of its works around it, laid out by d3-force (a maintained layout
 * library, run here to rest before drawing: a still picture, no animation to follow on a phone)
 * and drawn as SVG links. Only the entity page imports this module, and only dynamically, so
 * d3-force is in no other page's bundle.
 */
import { LitElement, css, svg, html, nothing } from 'lit'
import {
  forceCenter,
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  type SimulationNodeDatum,
} from 'd3-force'
import type { KnowledgeCard } from '@shulin/protocol'
import { entityHref, recordHref } from '../ld-links.js'

interface GraphNode extends SimulationNodeDatum {
  key: string
  label: string
  href: string
  kind: 'self' | 'person' | 'subject' | 'class' | 'place' | 'work'
}

const size = { width: 360, height: 280 }
/** Neighbours drawn: enough to show the shape, few enough to read on a phone. */
const maxRelated = 10
const maxWorks = 5
const ticks = 300

/** Nodes and links of a card, laid out (deterministic: d3-force seeds its own random source). */
export function layout(card: KnowledgeCard): {
  nodes: GraphNode[]
  links: Array<{ source: GraphNode; target: GraphNode }>
} {
  const self: GraphNode = {
    key: 'self',
    label: card.id,
    href: entityHref(card.kind, card.id),
    kind: 'self',
    fx: 0,
    fy: 0,
  }
  const nodes: GraphNode[] = [
    self,
    ...card.related
      .slice(0, maxRelated)
      .map((r) => ({ key: `${r.kind}:${r.id}`, label: r.id, href: entityHref(r.kind, r.id), kind: r.kind })),
    ...[...card.works, ...card.courses, ...card.lectures]
      .slice(0, maxWorks)
      .map((w) => ({ key: `work:${w.id}`, label: w.title, href: recordHref(w), kind: 'work' as const })),
  ]
  const links = nodes.slice(1).map((n) => ({ source: self, target: n }))
  forceSimulation(nodes)
    .force('link', forceLink(links).distance(90))
    .force('charge', forceManyBody().strength(-220))
    .force('collide', forceCollide(34))
    .force('center', forceCenter(0, 0))
    .stop()
    .tick(ticks)
  return { nodes, links }
}

const short = (s: string) => ([...s].length > 8 ? [...s].slice(0, 7).join('') + '…' : s)

export class EntityGraph extends LitElement {
  static override properties = { card: { attribute: false } }
  card: KnowledgeCard | undefined

  override render() {
    if (!this.card) return nothing
    const { nodes, links } = layout(this.card)
    const xs = nodes.map((n) => n.x ?? 0)
    const ys = nodes.map((n) => n.y ?? 0)
    const pad = 48
    const box = [
      Math.min(...xs) - pad,
      Math.min(...ys) - pad,
      Math.max(...xs) - Math.min(...xs) + 2 * pad,
      Math.max(...ys) - Math.min(...ys) + 2 * pad,
    ]
    return html`<svg viewBox=${box.join(' ')} width=${size.width} height=${size.height} role="group" aria-label=${this.card.id}>
      ${links.map((l) => svg`<line x1=${l.source.x ?? 0} y1=${l.source.y ?? 0} x2=${l.target.x ?? 0} y2=${l.target.y ?? 0}></line>`)}
      ${nodes.map(
        (n) => svg`<a href=${n.href} class=${n.kind} data-key=${n.key}>
          <circle cx=${n.x ?? 0} cy=${n.y ?? 0} r=${n.kind === 'self' ? 26 : 18}></circle>
          <text x=${n.x ?? 0} y=${(n.y ?? 0) + (n.kind === 'self' ? 42 : 32)}>${short(n.label)}</text>
          <title>${n.label}</title>
        </a>`,
      )}
    </svg>`
  }

  static override styles = css`
    :host { display: block; }
    svg { max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line, #ddd); border-radius: 8px; }
    line { stroke: #b9b2a3; stroke-width: 1.5; }
    circle { fill: #fff; stroke: #1f3a5f; stroke-width: 2; }
    .self circle { fill: #1f3a5f; }
    .subject circle, .class circle, .place circle { stroke: #8a5a00; }
    .work circle { stroke: #7a7a7a; stroke-dasharray: 3 2; }
    text { font-size: 12px; text-anchor: middle; fill: #1c1c1c; }
  `
}
customElements.define('shulin-entity-graph', EntityGraph)
