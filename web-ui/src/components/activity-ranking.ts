/**
 * @module components/activity-ranking
 * A recitation's ranking in tabs — total, today, my library, a region (GB/T 2260 code prefix),
 * and for a national activity the hub's national ranking (every library's likes summed; rows of
 * other libraries, so no like button: a like counts at the entry's own library) —
 * each row with its likes and a like button. Rows the reader liked today (as far as this page
 * knows: liked here, or an entry the node says so of) show it pressed.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { ActivityView, EntryList, Ranking } from '@shulin/protocol'
import { base } from '../styles.js'
import { at, type ActivityKey } from '../i18n/activities.js'
import { api, session } from '../api.js'
import { activityPaths, entryHref } from '../activities.js'
import { taskView } from './page-state.js'
import './like-button.js'

const localScopes: Array<[Ranking['scope'], ActivityKey]> = [
  ['total', 'rankTotal'],
  ['today', 'rankToday'],
  ['library', 'rankLibrary'],
  ['region', 'rankRegion'],
]
/** The tabs of an activity: a national one (every member's readers) has the hub's ranking too. */
const scopesOf = (a: ActivityView | undefined): Array<[Ranking['scope'], ActivityKey]> =>
  a?.audience === 'member-readers' ? [...localScopes, ['national', 'rankNational']] : localScopes

export class ActivityRanking extends LitElement {
  static override properties = {
    activity: { attribute: false },
    liked: { attribute: false },
    scope: { state: true },
    region: { state: true },
  }
  activity: ActivityView | undefined
  /** Entry ids the reader liked today. */
  liked: Set<string> = new Set()
  scope: Ranking['scope'] = 'total'
  /** The region code asked for (applied with the button, not on every key). */
  region = ''
  #regionDraft = ''

  #data = new Task(this, {
    task: async ([id, scope, region]) => {
      if (!id) return undefined
      const [ranking, entries] = await Promise.all([
        api<Ranking>(activityPaths.ranking(id, scope, scope === 'region' ? region || undefined : undefined)),
        // Which entries the reader liked today (the ranking does not say); the ranking shows without it.
        session.current ? api<EntryList>(activityPaths.entries(id)).catch(() => undefined) : undefined,
      ])
      for (const e of entries?.entries ?? []) if (e.likedToday) this.liked.add(e.id)
      return ranking
    },
    args: () => [this.activity?.id ?? '', this.scope, this.region] as const,
  })

  /** Asks the node again (after a like elsewhere on the page). */
  refresh(): void {
    void this.#data.run()
  }

  #tabs() {
    const select = (scope: Ranking['scope']) => (this.scope = scope)
    const scopes = scopesOf(this.activity)
    const onKey = (e: KeyboardEvent) => {
      const i = scopes.findIndex(([s]) => s === this.scope)
      const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : undefined
      if (next === undefined) return
      const [scope] = scopes[(next + scopes.length) % scopes.length]!
      select(scope)
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${scope}`)?.focus())
    }
    return html`<div role="tablist" aria-label=${at('ranking')} @keydown=${onKey}>
      ${scopes.map(
        ([scope, key]) =>
          html`<button role="tab" id="tab-${scope}" aria-controls="rank-panel" aria-selected=${this.scope === scope ? 'true' : 'false'} tabindex=${this.scope === scope ? '0' : '-1'} class=${this.scope === scope ? '' : 'secondary'} @click=${() => select(scope)}>${at(key)}</button>`,
      )}
    </div>`
  }

  override render() {
    const a = this.activity
    if (!a) return nothing
    return html`<h2>${at('ranking')}</h2>
      ${this.#tabs()}
      <div id="rank-panel" role="tabpanel" aria-labelledby="tab-${this.scope}">
        ${
          this.scope === 'region'
            ? html`<form class="region" @submit=${(e: Event) => {
                e.preventDefault()
                this.region = this.#regionDraft.trim()
              }}>
                <label for="region">${at('rankRegionCode')}</label>
                <span><input id="region" inputmode="numeric" maxlength="12" .value=${this.region} @input=${(e: Event) => (this.#regionDraft = (e.target as HTMLInputElement).value)} />
                <button class="secondary">${at('rankRegionShow')}</button></span>
              </form>`
            : nothing
        }
        ${taskView(this.#data, (r) =>
          r?.entries.length
            ? html`${r.scope === 'national' && r.asOf ? html`<p class="muted as-of">${at('rankNationalAsOf', { time: new Date(r.asOf).toLocaleTimeString() })}</p>` : nothing}
              <ol class="rows">
                ${r.entries.map(
                  (row) => html`<li>
                    <span class="rank" aria-label=${at('rankN', { rank: row.rank })}>${row.rank}</span>
                    <span class="who">
                      ${r.scope === 'national' ? html`<span class="title">${row.title}</span>` : html`<a href=${entryHref(a.id, row.id)}>${row.title}</a>`}
                      <span class="muted">${at('entryBy', { name: row.author.name, library: row.author.library })}${row.final !== null ? ` · ${at('final', { final: row.final.toFixed(1) })}` : ''}</span>
                    </span>
                    ${
                      r.scope === 'national'
                        ? html`<span class="likes">${at('likes', { count: row.likes })}</span>`
                        : html`<shulin-like-button .activity=${a.id} .entry=${row.id} .entryTitle=${row.title} .likes=${row.likes} .liked=${this.liked.has(row.id)} @liked=${() => this.liked.add(row.id)}></shulin-like-button>`
                    }
                  </li>`,
                )}
              </ol>`
            : html`<p class="muted">${at('rankNone')}</p>`,
        )}
      </div>`
  }

  static override styles = [
    base,
    css`
      h2 { font-size: 1.15rem; }
      [role='tablist'] { display: flex; gap: 6px; overflow-x: auto; padding-bottom: 8px; }
      [role='tab'] { flex: none; border-radius: 999px; }
      .region span { display: flex; gap: 8px; }
      .region input { max-width: 12em; }
      .rows { list-style: none; padding: 0; margin: 8px 0 0; }
      .rows li { display: grid; grid-template-columns: 2.2em 1fr; gap: 4px 8px; align-items: center; padding: 10px 0; border-bottom: 1px solid var(--line); }
      .rows shulin-like-button { grid-column: 2; }
      @media (min-width: 600px) {
        .rows li { grid-template-columns: 2.2em 1fr auto; }
        .rows shulin-like-button { grid-column: auto; justify-self: end; }
      }
      .rank { font-size: 1.2rem; font-weight: 700; color: var(--ink); text-align: center; font-variant-numeric: tabular-nums; }
      .rows li:nth-child(-n + 3) .rank { color: var(--accent); }
      .who { display: grid; min-width: 0; }
      .who .title { font-weight: 600; }
      .who a { font-weight: 600; overflow: hidden; text-overflow: ellipsis; }
      .who .muted { font-size: 0.9rem; }
    `,
  ]
}
customElements.define('shulin-activity-ranking', ActivityRanking)
