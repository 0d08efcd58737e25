/**
 * @module pages/reader/entity
 * An entity page, `/entity/{kind}/{id}`: the knowledge card (知识卡片) of a person, subject,
 * 中图法 class or place — its works, courses and lectures, the persons and subjects named beside
 * it, a timeline — and a small relation graph, whose module (with d3-force) is imported only
 * here, after the card has come. Where `/ld/{kind}/{id}` sends a browser.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { CardRecord, KnowledgeCard } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api } from '../../api.js'
import { kt } from '../../i18n/cards.js'
import { taskView } from '../../components/page-state.js'
import { entityHref, recordHref } from '../../ld-links.js'

export class EntityPage extends LitElement {
  static override properties = { kind: {}, entityId: {}, graphReady: { state: true } }
  kind = ''
  entityId = ''
  graphReady = false

  #card = new Task(this, {
    task: async ([kind, id]) => {
      const card = await api<KnowledgeCard>(`/api/ld/cards/${encodeURIComponent(kind!)}/${encodeURIComponent(id!)}`)
      // The graph's code (d3-force) is fetched only once there is a card to draw.
      void import('../../components/entity-graph.js').then(() => (this.graphReady = true))
      return card
    },
    args: () => [this.kind, this.entityId],
  })

  #records(heading: string, items: CardRecord[], key: string) {
    if (!items.length) return nothing
    return html`<section aria-labelledby=${key}>
      <h2 id=${key}>${heading}</h2>
      <ul class="records">
        ${items.map(
          (r) => html`<li>
            <a href=${recordHref(r)}
              >${r.title}${r.creators.length ? html`<span class="muted"> · ${r.creators.join('、')}</span>` : nothing}</a
            >
          </li>`,
        )}
      </ul>
    </section>`
  }

  #view(c: KnowledgeCard) {
    return html`
      <header>
        <p class="muted kind">${kt(c.kind)}</p>
        <h1>${c.id}</h1>
        <p class="muted">${kt('total', { n: c.total })} · <a href=${c.uri} rel="alternate">${c.uri}</a></p>
      </header>
      ${
        c.related.length || c.works.length
          ? html`<section aria-labelledby="graph-h" class="graph">
            <h2 id="graph-h">${kt('graph')}</h2>
            ${this.graphReady ? html`<shulin-entity-graph .card=${c}></shulin-entity-graph>` : nothing}
          </section>`
          : nothing
      }
      ${
        c.related.length
          ? html`<section aria-labelledby="related-h">
            <h2 id="related-h">${kt('related')}</h2>
            <ul class="chips">
              ${c.related.map(
                (r) =>
                  html`<li><a class="chip" href=${entityHref(r.kind, r.id)}>${r.id} <span class="muted">${r.count}</span></a></li>`,
              )}
            </ul>
          </section>`
          : nothing
      }
      ${this.#records(kt('works'), c.works, 'works-h')} ${this.#records(kt('courses'), c.courses, 'courses-h')}
      ${this.#records(kt('lectures'), c.lectures, 'lectures-h')}
      ${
        c.timeline.length
          ? html`<section aria-labelledby="timeline-h">
            <h2 id="timeline-h">${kt('timeline')}</h2>
            <ol class="timeline">
              ${c.timeline.map(
                (e) =>
                  html`<li><span class="date">${e.date}</span> <a href=${recordHref(e.record)}>${e.record.title}</a></li>`,
              )}
            </ol>
          </section>`
          : nothing
      }
    `
  }

  override render() {
    return taskView(this.#card, (c) => this.#view(c))
  }

  static override styles = [
    base,
    css`
      :host { display: block; }
      h1 { margin: 0 0 4px; }
      .kind { margin: 0; }
      h2 { font-size: 1.05rem; margin: 20px 0 8px; }
      ul, ol { list-style: none; padding: 0; margin: 0; }
      .records a { display: block; min-height: 36px; padding: 6px 0; border-bottom: 1px solid var(--line); text-decoration: none; overflow-wrap: anywhere; }
      .chips { display: flex; flex-wrap: wrap; gap: 8px; }
      .chip { display: inline-grid; grid-auto-flow: column; gap: 6px; align-items: center; min-height: 36px; padding: 0 12px; border-radius: 18px; border: 1px solid var(--line); background: #fff; text-decoration: none; }
      .timeline li { padding: 4px 0; }
      .timeline .date { display: inline-block; min-width: 5em; color: var(--muted); font-variant-numeric: tabular-nums; }
      .graph { min-height: 120px; }
    `,
  ]
}
customElements.define('shulin-entity-page', EntityPage)
