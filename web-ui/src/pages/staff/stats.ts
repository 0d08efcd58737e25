/**
 * @module pages/staff/stats
 * The staff console's statistics tab. A library sees its own figures (trend, weekday × hour,
 * devices and access, top titles, top and zero-result searches, the roll-ups waiting for the
 * hub); on the hub the nation's dashboard comes first, and the hub's own library figures are
 * one switch away.
 */
import { LitElement, css, html, nothing } from 'lit'
import { initialState, Task, TaskStatus } from '@lit/task'
import type { Health, StatsSummaryResponse } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api } from '../../api.js'
import { st } from '../../i18n/stats.js'
import { errorView, loadingView, taskView } from '../../components/page-state.js'
import '../../components/sushi-credentials.js'
import { daysAgo, heatmap, kpis, partStyles, rangeSelect, split, topTable } from '../../components/stats-parts.js'

/** This year's report so far, as COUNTER 5.1 asks (both dates given). */
function sushiTsv(id: 'pr' | 'tr'): string {
  const month = new Date().toISOString().slice(0, 7)
  return `/sushi/r51/reports/${id}?format=tsv&begin_date=${month.slice(0, 4)}-01&end_date=${month}`
}

export class StaffStats extends LitElement {
  static override properties = { days: { state: true }, view: { state: true } }
  days = 30
  view: 'nation' | 'library' = 'nation'
  /** This library's figures were asked for (a library's page, or the hub's "this library" switch). */
  #libraryWanted = false

  /** Whether this node is the hub (whose page opens on the nation's dashboard). */
  #role = new Task(this, {
    task: async () => {
      const h = await api<Health>('/api/health')
      if (h.role === 'hub') void import('../hub/stats.js')
      return h.role
    },
    args: () => [],
  })

  /** This library's figures over the chosen range, once they are wanted. */
  #summary = new Task(this, {
    task: ([days, wanted]: readonly [number, boolean]) =>
      wanted
        ? api<StatsSummaryResponse>(`/api/staff/stats/summary?from=${daysAgo(days - 1)}&to=${daysAgo(0)}`)
        : initialState,
    args: () => [this.days, (this.#libraryWanted ||= this.#role.value === 'node' || this.view === 'library')] as const,
  })

  #library(d: StatsSummaryResponse) {
    const o = d.outbox
    return html`
      <div class="controls">${rangeSelect(this.days, (n) => (this.days = n))}</div>
      <section aria-label=${st('headline')}>${kpis(d.totals)}</section>
      <section aria-labelledby="tr"><h2 id="tr">${st('trend')}</h2><shulin-trend-chart .days=${d.days} .from=${d.from} .to=${d.to}></shulin-trend-chart></section>
      <section aria-labelledby="hm"><h2 id="hm">${st('heatmap')}</h2>${heatmap(d.heatmap)}</section>
      <section class="cols" aria-label="${st('devices')} / ${st('methods')}">
        ${split(st('devices'), [
          ['mobile', d.devices.mobile ?? 0],
          ['tablet', d.devices.tablet ?? 0],
          ['desktop', d.devices.desktop ?? 0],
          ['other', d.devices.other ?? 0],
        ])}
        ${split(st('methods'), [
          ['web', d.methods.web ?? 0],
          ['opds', d.methods.opds ?? 0],
          ['api', d.methods.api ?? 0],
        ])}
      </section>
      <section aria-labelledby="tt"><h2 id="tt">${st('topTitles')}</h2>${topTable(
        st('topTitles'),
        d.top.map((t) => ({ label: t.title, a: t.requests, b: t.investigations })),
        [st('titleCol'), st('requests')],
      )}</section>
      <div class="cols">
        <section aria-labelledby="tq"><h2 id="tq">${st('topQueries')}</h2>${topTable(
          st('topQueries'),
          d.queries.map((q) => ({ label: q.q, a: q.n })),
          [st('Searches_Regular')],
        )}</section>
        <section aria-labelledby="zq"><h2 id="zq">${st('zeroQueries')}</h2>${topTable(
          st('zeroQueries'),
          d.zeroQueries.map((q) => ({ label: q.q, a: q.n })),
          [st('Searches_Regular')],
        )}</section>
      </div>
      <section aria-labelledby="q">
        <h2 id="q">${st('queue')}</h2>
        <p>
          ${d.member ? html`${st('queueSent', { n: o.sent, day: o.lastSentDay ?? '—' })} · ${st('queuePending', { n: o.pending })}${o.refused ? html` · ${st('queueRefused', { n: o.refused })}` : nothing}` : st('notMember')}
        </p>
        <p class="muted">${st('sushi')}: <a href=${sushiTsv('pr')}>PR (TSV)</a> · <a href=${sushiTsv('tr')}>TR (TSV)</a></p>
      </section>
      <section aria-label=${st('sushiCredentials')}><shulin-sushi-credentials></shulin-sushi-credentials></section>
    `
  }

  override render() {
    if (this.#role.status === TaskStatus.ERROR) return errorView(this.#role.error, () => void this.#role.run())
    if (this.#summary.status === TaskStatus.ERROR) return errorView(this.#summary.error, () => void this.#summary.run())
    const role = this.#role.value
    if (!role) return loadingView()
    const hub = role === 'hub'
    return html`
      <h1>${hub && this.view === 'nation' ? st('national') : st('title')}</h1>
      ${
        hub
          ? html`<div class="switch" role="group" aria-label=${st('scope')}>
            <button class=${this.view === 'nation' ? '' : 'secondary'} aria-pressed=${this.view === 'nation'} @click=${() => (this.view = 'nation')}>${st('nation')}</button>
            <button class=${this.view === 'library' ? '' : 'secondary'} aria-pressed=${this.view === 'library'} @click=${() => (this.view = 'library')}>${st('thisLibrary')}</button>
          </div>`
          : nothing
      }
      ${hub && this.view === 'nation' ? html`<shulin-hub-stats></shulin-hub-stats>` : taskView(this.#summary, (d) => this.#library(d), { stale: false })}
    `
  }

  static override styles = [
    base,
    partStyles,
    css`h1 { font-size: 1.4rem; margin: 0 0 8px; } .switch { display: flex; gap: 8px; margin-bottom: 8px; }`,
  ]
}
customElements.define('shulin-staff-stats', StaffStats)
