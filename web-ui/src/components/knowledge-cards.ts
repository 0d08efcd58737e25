/**
 * @module components/knowledge-cards
 * Knowledge cards (知识卡片) in the pages that show a record:
 *
 * - `<shulin-lecture-cards lecture=ID>` under a lecture's player: the keywords of its subtitles,
 *   each a link (a person or subject to its entity page, a work to its record, a term to a
 *   search), and a card for each person or subject spoken of, listing catalogue records;
 * - `<shulin-related record=ID>` on a record's or course's page: related works and related courses.
 *
 * Both are sections of a page: they show nothing when there is nothing to show or asking failed.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { CardRecord, KnowledgeCard, LectureCards, RelatedRecords } from '@shulin/protocol'
import { base } from '../styles.js'
import { api } from '../api.js'
import { kt } from '../i18n/cards.js'
import { entityHref, recordHref } from '../ld-links.js'

/** Records listed under one card. */
const perCard = 5

const recordItem = (r: CardRecord) =>
  html`<li>
    <a href=${recordHref(r)}
      ><span class="title">${r.title}</span>${
        r.creators.length ? html`<span class="muted"> · ${r.creators.join('、')}</span>` : nothing
      }</a
    >
  </li>`

/** One card, small: its name (to the entity page), how many records, the first few. */
export const cardView = (c: KnowledgeCard) =>
  html`<article class="card" data-kind=${c.kind}>
    <h3>
      <a href=${entityHref(c.kind, c.id)}>${c.id}</a>
      <span class="muted kind">${kt(c.kind)} · ${kt('total', { n: c.total })}</span>
    </h3>
    <ul class="records">
      ${[...c.works, ...c.courses].slice(0, perCard).map(recordItem)}
    </ul>
  </article>`

const shared = css`
  h2 { font-size: 1.05rem; margin: 20px 0 8px; }
  ul { list-style: none; padding: 0; margin: 0; }
  .records li a { display: block; min-height: 36px; padding: 6px 0; border-bottom: 1px solid var(--line); text-decoration: none; color: inherit; overflow-wrap: anywhere; }
  .records .title { color: var(--ink); }
  .cards { display: grid; gap: 12px; grid-template-columns: 1fr; }
  @media (min-width: 800px) { .cards { grid-template-columns: 1fr 1fr; } }
  .card { background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 14px; }
  .card h3 { margin: 0 0 6px; font-size: 1.05rem; display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
  .kind { font-size: 0.85rem; font-weight: normal; }
`

export class LectureCardsView extends LitElement {
  static override properties = { lecture: {} }
  lecture = ''

  #data = new Task(this, {
    task: ([id]) => api<LectureCards>(`/api/lectures/${encodeURIComponent(id!)}/cards`),
    args: () => [this.lecture],
  })

  #keywordHref(k: LectureCards['keywords'][number]): string {
    if (k.kind === 'person' || k.kind === 'subject') return entityHref(k.kind, k.text)
    if (k.kind === 'work' && k.records[0]) return recordHref(k.records[0])
    return `/search?q=${encodeURIComponent(k.text)}`
  }

  override render() {
    return this.#data.render({
      complete: (lc) =>
        lc.keywords.length
          ? html`<section aria-labelledby="cards-h">
              <h2 id="cards-h">${kt('lectureCards')}</h2>
              <ul class="keywords" aria-label=${kt('keywords')}>
                ${lc.keywords.map(
                  (k) =>
                    html`<li>
                      <a class="chip" data-kind=${k.kind} href=${this.#keywordHref(k)} title=${kt('saidTimes', { n: k.count })}
                        >${k.text}</a
                      >
                    </li>`,
                )}
              </ul>
              <div class="cards">${lc.cards.map(cardView)}</div>
            </section>`
          : nothing,
      error: () => nothing,
    })
  }

  static override styles = [
    base,
    shared,
    css`
      .keywords { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 12px; }
      .chip { display: inline-grid; place-items: center; min-height: 36px; padding: 0 12px; border-radius: 18px; border: 1px solid var(--line); background: #fff; text-decoration: none; color: var(--text); }
      .chip[data-kind='person'], .chip[data-kind='work'] { border-color: var(--ink); color: var(--ink); }
    `,
  ]
}
customElements.define('shulin-lecture-cards', LectureCardsView)

export class RelatedView extends LitElement {
  static override properties = { record: {} }
  record = ''

  #data = new Task(this, {
    task: ([id]) => api<RelatedRecords>(`/api/resources/${encodeURIComponent(id!)}/related`),
    args: () => [this.record],
  })

  override render() {
    const list = (heading: string, items: CardRecord[], key: string) =>
      items.length
        ? html`<section aria-labelledby=${key}>
            <h2 id=${key}>${heading}</h2>
            <ul class="records">
              ${items.map(recordItem)}
            </ul>
          </section>`
        : nothing
    return this.#data.render({
      complete: (r) =>
        html`${list(kt('relatedWorks'), r.works, 'related-works')}${list(kt('relatedCourses'), r.courses, 'related-courses')}`,
      error: () => nothing,
    })
  }

  static override styles = [base, shared]
}
customElements.define('shulin-related', RelatedView)
