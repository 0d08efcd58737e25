/**
 * @module pages/hub/stats
 * The nation's dashboard for hub operators: the members' roll-ups summed for the nation, a
 * province or a level (trend, weekday × hour, devices and access, the most used titles),
 * provinces side by side, and
 * every member with its assessment indicators, score and last report; the weights the
 * operators set (admins) and the CSV for the annual assessment.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type {
  HubMembersResponse,
  HubRegionsResponse,
  HubSummaryResponse,
  HubTopResponse,
  IndicatorName,
  Weights,
} from '@shulin/protocol'
import { base } from '../../styles.js'
import { api, session } from '../../api.js'
import { st, type StatsKey } from '../../i18n/stats.js'
import { locale } from '../../i18n/index.js'
import { taskView } from '../../components/page-state.js'
import { daysAgo, heatmap, kpis, partStyles, rangeSelect, split, topTable } from '../../components/stats-parts.js'

const indicatorNames: readonly IndicatorName[] = [
  'requests',
  'investigations',
  'searches',
  'signIns',
  'registrations',
  'daysReported',
]

export class HubStats extends LitElement {
  static override properties = { scope: { state: true }, days: { state: true }, note: { state: true } }
  scope = 'all'
  days = 30
  note = ''

  /** The figures of the chosen scope and range, fetched again when either changes. */
  #data = new Task(this, {
    task: ([scopeCode, days]: readonly [string, number]) => {
      const range = `from=${daysAgo(days - 1)}&to=${daysAgo(0)}`
      const scope = `scope=${encodeURIComponent(scopeCode)}&${range}`
      return Promise.all([
        api<HubSummaryResponse>(`/api/hub/stats/summary?${scope}`),
        api<HubTopResponse>(`/api/hub/stats/top?${scope}`),
        api<HubRegionsResponse>(`/api/hub/stats/regions?${range}`),
        api<HubMembersResponse>('/api/hub/stats/members'),
      ])
    },
    args: () => [this.scope, this.days] as const,
  })

  async #saveWeights(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const f = new FormData(e.target as HTMLFormElement)
    try {
      await api<Weights>('/api/hub/stats/weights', {
        method: 'PUT',
        body: Object.fromEntries(indicatorNames.map((n) => [n, Number(f.get(n) ?? 0)])),
      })
      this.note = st('saved')
      await this.#data.run()
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  #members({ members, weights }: HubMembersResponse) {
    const fmt = (n: number) => n.toLocaleString(locale())
    const admin = session.current?.account.roles.includes('admin')
    return html`<section aria-labelledby="mt">
      <h2 id="mt">${st('members')}</h2>
      <p><a href="/api/hub/stats/indicators.csv" download>${st('exportCsv')}</a> · <a href="/sushi/r5/members">${st('sushi')}</a></p>
      <div class="scroll">
        <table class="top members">
          <thead>
            <tr>
              <th scope="col">${st('library')}</th><th scope="col">${st('region')}</th><th scope="col">${st('level')}</th>
              ${indicatorNames.map((n) => html`<th scope="col" class="n">${st(`w_${n}` as StatsKey)}</th>`)}
              <th scope="col" class="n">${st('score')}</th><th scope="col">${st('lastReport')}</th>
            </tr>
          </thead>
          <tbody>
            ${members.map(
              (m) => html`<tr>
                <th scope="row">${m.name}</th><td>${m.region}</td><td>${st(`${m.level}_l` as StatsKey)}</td>
                ${indicatorNames.map((n) => html`<td class="n">${fmt(m.values[n] ?? 0)}</td>`)}
                <td class="n"><strong>${m.score}</strong></td><td>${m.lastDay ?? '—'}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${
        admin
          ? html`<form class="weights" @submit=${this.#saveWeights} aria-labelledby="wt">
            <h3 id="wt">${st('weights')}</h3>
            <div class="wgrid">
              ${indicatorNames.map((n) => html`<div><label for="w-${n}">${st(`w_${n}` as StatsKey)}</label><input id="w-${n}" name=${n} type="number" min="0" max="100" step="1" .value=${String(weights[n] ?? 0)} /></div>`)}
            </div>
            <button type="submit">${st('saveWeights')}</button>
            <span role="status" class="muted">${this.note}</span>
          </form>`
          : nothing
      }
    </section>`
  }

  override render() {
    return taskView(this.#data, ([summary, top, regions, members]) =>
      this.#dashboard(summary, top.titles, regions.regions, members),
    )
  }

  #dashboard(
    s: HubSummaryResponse,
    top: HubTopResponse['titles'],
    regions: HubRegionsResponse['regions'],
    members: HubMembersResponse,
  ) {
    return html`
      <div class="controls">
        <div>
          <label for="scope">${st('scope')}</label>
          <select id="scope" @change=${(e: Event) => (this.scope = (e.target as HTMLSelectElement).value)}>
            <option value="all" ?selected=${this.scope === 'all'}>${st('nation')}</option>
            ${(['province', 'city', 'county'] as const).map((l) => html`<option value="l:${l}" ?selected=${this.scope === `l:${l}`}>${st(`${l}_l`)}</option>`)}
            ${regions.map((r) => html`<option value="p:${r.province}" ?selected=${this.scope === `p:${r.province}`}>${r.province}0000</option>`)}
          </select>
        </div>
        ${rangeSelect(this.days, (n) => (this.days = n))}
      </div>
      <section aria-label=${st('headline')}>${kpis(s.totals)}</section>
      <section aria-labelledby="htr"><h2 id="htr">${st('trend')}</h2><shulin-trend-chart .days=${s.days} .from=${s.from} .to=${s.to}></shulin-trend-chart></section>
      <section aria-labelledby="hhm"><h2 id="hhm">${st('heatmap')}</h2>${heatmap(s.heatmap)}</section>
      <section class="cols" aria-label="${st('devices')} / ${st('methods')}">
        ${split(st('devices'), [
          ['mobile', s.devices.mobile ?? 0],
          ['tablet', s.devices.tablet ?? 0],
          ['desktop', s.devices.desktop ?? 0],
          ['other', s.devices.other ?? 0],
        ])}
        ${split(st('methods'), [
          ['web', s.methods.web ?? 0],
          ['opds', s.methods.opds ?? 0],
          ['api', s.methods.api ?? 0],
        ])}
      </section>
      <section aria-labelledby="htt"><h2 id="htt">${st('topTitles')}</h2>${topTable(
        st('topTitles'),
        top.map((t) => ({ label: `${t.title}（${t.library}）`, a: t.requests, b: t.investigations })),
        [st('titleCol'), st('requests')],
      )}</section>
      <section aria-labelledby="rg">
        <h2 id="rg">${st('regions')}</h2>
        <table class="top">
          <thead><tr><th scope="col">${st('province')}</th><th scope="col" class="n">${st('memberCount')}</th><th scope="col" class="n">${st('Total_Item_Requests')}</th><th scope="col" class="n">${st('Searches_Regular')}</th><th scope="col" class="n">${st('reports')}</th></tr></thead>
          <tbody>${regions.map((r) => html`<tr><th scope="row">${r.province}0000</th><td class="n">${r.members}</td><td class="n">${r.totals.Total_Item_Requests ?? 0}</td><td class="n">${r.totals.Searches_Regular ?? 0}</td><td class="n">${r.reports}</td></tr>`)}</tbody>
        </table>
      </section>
      ${this.#members(members)}
    `
  }

  static override styles = [
    base,
    partStyles,
    css`
      .members th[scope='row'] { font-weight: 600; white-space: nowrap; }
      .weights { margin-top: 12px; }
      .wgrid { display: grid; grid-template-columns: repeat(2, 1fr); gap: 0 12px; }
      @media (min-width: 720px) { .wgrid { grid-template-columns: repeat(6, 1fr); } }
      .weights button { margin: 12px 12px 0 0; }
    `,
  ]
}
customElements.define('shulin-hub-stats', HubStats)
