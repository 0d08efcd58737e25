/**
 * @module pages/reader/search
 * Search results with highlighted titles and snippets, facets as filter chips (type, subject,
 * language, decade), and "load more" paging. The URL holds the whole search, so a result
 * page can be shared or reloaded.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { FederationStatus, MemberList, NetworkSearchResponse, SearchResponse } from '@shulin/protocol'
import type { Collection } from '@shulin/protocol'
import { pt } from '../../i18n/portal.js'
import { base } from '../../styles.js'
import { t, type MessageKey } from '../../i18n/index.js'
import { api } from '../../api.js'
import { navigate } from '../../router.js'
import { decadeLabel, languageLabel, typeLabel } from '../../labels.js'
import { errorView, loadingView } from '../../components/page-state.js'
import '../../components/resource-card.js'

const facetParams: Array<{ facet: string; param: string; label: MessageKey; show?: (v: string) => string }> = [
  { facet: 'type', param: 'type', label: 'facetType', show: typeLabel },
  { facet: 'subject', param: 'subject', label: 'facetSubject' },
  { facet: 'language', param: 'language', label: 'facetLanguage', show: languageLabel },
  { facet: 'decade', param: 'decade', label: 'facetDecade', show: decadeLabel },
]

/** A hit of this library's search, or of the network's (held here or not, and by whom). */
type Hit = SearchResponse['hits'][number] & Partial<Pick<NetworkSearchResponse['hits'][number], 'local' | 'holders'>>

export class SearchPage extends LitElement {
  static override properties = {
    query: { attribute: false },
    result: { state: true },
    error: { state: true },
    more: { state: true },
    networked: { state: true },
    libraries: { state: true },
    within: { state: true },
  }
  query = new URLSearchParams()
  result: (Omit<SearchResponse, 'hits'> & { hits: Hit[] }) | undefined
  error: unknown
  more = false
  /** Whether this library belongs to a network (then the whole network can be searched). */
  networked = false
  libraries = new Map<string, string>()
  /** The column or topic searched within (`collection=`), for its name. */
  within: Collection | undefined
  /** The query the results are for; none yet, so a bare /search (an empty query) loads too. */
  #loadedFor: string | undefined

  override connectedCallback(): void {
    super.connectedCallback()
    void this.#loadNetwork()
  }

  async #loadNetwork(): Promise<void> {
    try {
      const [status, members] = await Promise.all([
        api<FederationStatus>('/api/federation/status'),
        api<MemberList>('/api/federation/members'),
      ])
      this.networked = status.member && !!status.hub
      this.libraries = new Map(members.members.map((m) => [m.nodeId, m.name]))
    } catch {
      this.networked = false
    }
  }

  /** Who holds a hit of the network's catalogue: the members the hub knows of, else its publisher. */
  #holderNames(h: Hit): string {
    const ids = h.holders?.length ? h.holders : [h.source]
    return ids.map((id) => this.libraries.get(id) ?? t('theHub')).join('、')
  }

  get #network(): boolean {
    return this.query.get('scope') === 'network'
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('query') && this.query.toString() !== this.#loadedFor) void this.#load()
  }

  #apiParams(offset = 0): URLSearchParams {
    const p = new URLSearchParams()
    p.set('q', this.query.get('q') ?? '')
    for (const { param } of facetParams) {
      const v = this.query.get(param)
      if (v && param !== 'decade') p.set(param, v)
    }
    const decade = Number(this.query.get('decade'))
    if (decade) {
      p.set('yearFrom', String(decade))
      p.set('yearTo', String(decade + 9))
    }
    // A topic's "search within": the node narrows to its items (and says 404 if it is hidden).
    const collection = this.query.get('collection')
    if (collection) p.set('collection', collection)
    p.set('limit', '20')
    p.set('offset', String(offset))
    return p
  }

  /** The whole network's catalogue (the hub's): no facets, each hit marked held here or not. */
  async #fetch(offset: number, facets: boolean) {
    if (!this.#network)
      return api<SearchResponse>(`/api/search?${this.#apiParams(offset)}${facets ? '' : '&facets=false'}`)
    const p = new URLSearchParams({ q: this.query.get('q') ?? '', limit: '20', offset: String(offset) })
    const r = await api<NetworkSearchResponse>(`/api/search/network?${p}`)
    return { ...r, offset, limit: 20, facets: {}, engine: 'embedded' as const, tookMs: 0 }
  }

  async #load(): Promise<void> {
    this.#loadedFor = this.query.toString()
    this.error = undefined
    this.result = undefined
    try {
      const collection = this.#network ? null : this.query.get('collection')
      const [result, within] = await Promise.all([
        this.#fetch(0, true),
        collection
          ? api<Collection>(`/api/collections/${encodeURIComponent(collection)}`).catch(() => undefined)
          : undefined,
      ])
      this.within = within
      this.result = result
    } catch (err) {
      this.error = err
    }
  }

  #scope(network: boolean): void {
    const next = new URLSearchParams(this.query)
    if (network) next.set('scope', 'network')
    else next.delete('scope')
    for (const { param } of facetParams) next.delete(param)
    navigate(`/search?${next}`)
  }

  async #loadMore(): Promise<void> {
    if (!this.result) return
    this.more = true
    try {
      const next = await this.#fetch(this.result.hits.length, false)
      this.result = { ...this.result, hits: [...this.result.hits, ...next.hits] }
    } catch (err) {
      this.error = err
    } finally {
      this.more = false
    }
  }

  #toggle(param: string, value: string): void {
    const next = new URLSearchParams(this.query)
    if (next.get(param) === value) next.delete(param)
    else next.set(param, value)
    navigate(`/search?${next}`)
  }

  override render() {
    if (this.error) return errorView(this.error, () => void this.#load())
    if (!this.result) return loadingView()
    const r = this.result
    const q = this.query.get('q') ?? ''
    const filtered = facetParams.some(({ param }) => this.query.has(param))
    const network = this.#network
    return html`
      ${
        this.networked || network
          ? html`<div class="scope" role="group" aria-label=${t('searchScope')}>
            <button class="chip" aria-pressed=${network ? 'false' : 'true'} @click=${() => this.#scope(false)}>${t('scopeHere')}</button>
            <button class="chip" aria-pressed=${network ? 'true' : 'false'} @click=${() => this.#scope(true)}>${t('scopeNetwork')}</button>
          </div>`
          : nothing
      }
      ${
        this.within && !network
          ? html`<p class="within">
            <a href="/collections/${encodeURIComponent(this.within.id)}">${pt('inCollection', { title: this.within.title })}</a>
            · <a href="/search?q=${encodeURIComponent(q)}">${pt('clearCollection')}</a>
          </p>`
          : nothing
      }
      <p class="count" role="status">${t('results', { total: r.total })}</p>
      <div class="layout">
        <aside aria-label=${t('facetsLabel')}>
          ${facetParams.map(({ facet, param, label, show }) => {
            const values = Object.entries(r.facets[facet] ?? {})
            if (!values.length) return nothing
            return html`<section>
              <h2>${t(label)}</h2>
              <ul>
                ${values.slice(0, 12).map(
                  ([v, n]) => html`<li>
                    <button class="chip" aria-pressed=${this.query.get(param) === v ? 'true' : 'false'} @click=${() => this.#toggle(param, v)}>${show ? show(v) : v} <span>${n}</span></button>
                  </li>`,
                )}
              </ul>
            </section>`
          })}
          ${filtered ? html`<a href="/search?q=${encodeURIComponent(q)}">${t('clearFilters')}</a>` : nothing}
        </aside>
        <section>
          ${
            r.hits.length
              ? html`<ol class="hits">
                ${r.hits.map(
                  (h) =>
                    html`<li>
                      <shulin-resource-card .hit=${h} .linked=${h.local !== false} .note=${h.local === false ? t('notHeldHere', { library: this.#holderNames(h) }) : ''}></shulin-resource-card>
                    </li>`,
                )}
              </ol>`
              : html`<p>${t('noResults', { q })}</p>`
          }
          ${r.hits.length < r.total ? html`<button class="secondary more" ?disabled=${this.more} @click=${() => void this.#loadMore()}>${t('loadMore')}</button>` : nothing}
        </section>
      </div>
    `
  }

  static override styles = [
    base,
    css`
      .count { margin: 0 0 8px; color: var(--muted); }
      .within { margin: 0 0 8px; }
      .scope { display: flex; gap: 8px; margin: 0 0 12px; }
      .layout { display: grid; gap: 16px; }
      aside { display: flex; gap: 12px; overflow-x: auto; }
      aside section { flex: none; }
      aside h2 { font-size: 0.95rem; margin: 0 0 6px; }
      ul, ol { list-style: none; padding: 0; margin: 0; }
      aside ul { display: flex; gap: 6px; flex-wrap: wrap; max-width: 80vw; }
      .chip { background: #fff; color: var(--ink); border-color: var(--line); min-height: 40px; padding: 0 12px; border-radius: 999px; }
      .chip[aria-pressed='true'] { background: var(--ink); color: #fff; }
      .chip span { color: inherit; opacity: 0.7; margin-left: 4px; }
      .hits { display: grid; gap: 12px; }
      .more { margin: 16px auto; display: block; }
      @media (min-width: 800px) {
        .layout { grid-template-columns: 220px 1fr; }
        aside { flex-direction: column; overflow: visible; }
        aside ul { max-width: none; }
      }
    `,
  ]
}
customElements.define('shulin-search', SearchPage)
