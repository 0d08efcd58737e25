/**
 * @module components/stats-parts
 * Pieces both dashboards (a library's and the nation's) are made of, so neither page imports
 * the other: the range chooser, the headline figures, a trend chart (uPlot, loaded with the
 * first chart, never with the portal), the weekday × hour heatmap and the device and access
 * splits. Every chart has its numbers in a table too, for screen readers and for people who
 * want the figures.
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit'
import { base } from '../styles.js'
import { st, type StatsKey } from '../i18n/stats.js'
import { locale } from '../i18n/index.js'
import type uPlot from 'uplot'

export type Counts = Record<string, number>
export interface DayFigures {
  day: string
  totals: Counts
}

const fmt = (n: number) => n.toLocaleString(locale())
const headline = [
  'Total_Item_Requests',
  'Total_Item_Investigations',
  'Searches_Regular',
  'Sign_Ins',
  'Registrations',
  'No_License',
  'Lecture_Plays',
  'Seconds_Watched',
] as const
/** Watched time is counted in seconds and shown in minutes. */
const shown = (m: (typeof headline)[number], v: number) => (m === 'Seconds_Watched' ? Math.round(v / 60) : v)

/** `YYYY-MM-DD` of today minus n days, in the browser's time zone. */
export function daysAgo(n: number): string {
  const d = new Date(Date.now() - n * 86_400_000)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** The range chooser both dashboards show: the last 7, 30, 90 or 365 days. */
export const rangeSelect = (value: number, onChange: (n: number) => void) => html`<div>
  <label for="range">${st('range')}</label>
  <select id="range" @change=${(e: Event) => onChange(Number((e.target as HTMLSelectElement).value))}>
    ${([7, 30, 90, 365] as const).map((n) => html`<option value=${n} ?selected=${n === value}>${st(`days${n}`)}</option>`)}
  </select>
</div>`

export function kpis(totals: Counts): TemplateResult {
  return html`<ul class="kpis">
    ${headline.map((m) => html`<li><span class="kpi-label">${st(m)}</span><strong class="kpi-value">${fmt(shown(m, totals[m] ?? 0))}</strong></li>`)}
  </ul>`
}

/** 7 rows (Monday first) × 24 hours; each cell's number is read out and shown on hover. */
export function heatmap(grid: number[][]): TemplateResult {
  const max = Math.max(1, ...grid.flat())
  const days = st('weekdays').split(',')
  return html`<div class="scroll">
    <table class="heat">
      <caption>${st('heatmapCaption')}</caption>
      <thead>
        <tr>
          <td></td>
          ${Array.from({ length: 24 }, (_, h) => html`<th scope="col" class="hh">${h % 3 === 0 ? h : html`<span class="visually-hidden">${h}</span>`}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${grid.map(
          (row, d) => html`<tr>
            <th scope="row">${days[d]}</th>
            ${row.map((v, h) => {
              const a = v ? 0.12 + 0.88 * (v / max) : 0
              return html`<td style="background: rgba(31, 58, 95, ${a.toFixed(3)})" title="${days[d]} ${h}${st('hour')}: ${v}"><span class="visually-hidden">${v}</span></td>`
            })}
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`
}

const palette = ['#1f3a5f', '#b23a2a', '#6b7f3a', '#8a6d1f']

/** A stacked bar with a legend of shares. */
export function split(title: string, parts: Array<[StatsKey, number]>): TemplateResult {
  const total = parts.reduce((a, [, v]) => a + v, 0)
  const pct = (v: number) => (total ? Math.round((1000 * v) / total) / 10 : 0)
  return html`<figure class="split">
    <figcaption>${title}</figcaption>
    <div class="bar" aria-hidden="true">${parts.map(([, v], i) => (v ? html`<span style="flex:${v};background:${palette[i % palette.length]}"></span>` : nothing))}</div>
    <ul class="legend">
      ${parts.map(([k, v], i) => html`<li><i style="background:${palette[i % palette.length]}"></i>${st(k)} <strong>${pct(v)}%</strong> <span class="muted">(${fmt(v)})</span></li>`)}
    </ul>
  </figure>`
}

export function topTable(
  caption: string,
  rows: Array<{ label: string; a: number; b?: number }>,
  heads: [string, string?],
): TemplateResult {
  if (!rows.length) return html`<p class="muted">${st('nothing')}</p>`
  return html`<table class="top">
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr><th scope="col">#</th><th scope="col">${heads[0]}</th><th scope="col" class="n">${heads[1] ?? st('count')}</th>${rows[0]!.b !== undefined ? html`<th scope="col" class="n">${st('investigations')}</th>` : nothing}</tr></thead>
    <tbody>${rows.map((r, i) => html`<tr><td>${i + 1}</td><td>${r.label}</td><td class="n">${fmt(r.a)}</td>${r.b !== undefined ? html`<td class="n">${fmt(r.b)}</td>` : nothing}</tr>`)}</tbody>
  </table>`
}

export const partStyles = css`
  section { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 16px; margin: 12px 0; }
  h2 { font-size: 1.1rem; margin: 4px 0 12px; }
  .kpis { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(2, 1fr); gap: 8px; }
  .kpis li { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 10px 12px; display: flex; flex-direction: column; }
  .kpi-label { color: var(--muted); font-size: 0.9rem; }
  .kpi-value { font-size: 1.5rem; color: var(--ink); font-variant-numeric: tabular-nums; }
  @media (min-width: 720px) { .kpis { grid-template-columns: repeat(6, 1fr); } .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; } }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; }
  caption { text-align: left; color: var(--muted); font-size: 0.9rem; padding-bottom: 6px; }
  .heat { table-layout: fixed; min-width: 320px; }
  .heat th { font-weight: 400; font-size: 0.75rem; color: var(--muted); padding: 0 4px 0 0; text-align: left; width: 3.2em; white-space: nowrap; }
  .heat th.hh { width: auto; text-align: center; }
  .heat td { height: 22px; border: 1px solid var(--paper); padding: 0; }
  .split { margin: 0 0 12px; }
  .split figcaption { font-weight: 600; margin-bottom: 6px; color: var(--ink); }
  .bar { display: flex; height: 16px; border-radius: 8px; overflow: hidden; background: var(--line); }
  .legend { list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
  .legend i { display: inline-block; width: 12px; height: 12px; border-radius: 3px; margin-right: 6px; vertical-align: -1px; }
  .top th, .top td { text-align: left; padding: 6px 4px; border-bottom: 1px solid var(--line); }
  .top .n { text-align: right; font-variant-numeric: tabular-nums; }
  .controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; }
  .controls label { margin: 0 0 4px; }
  .controls > div { min-width: 150px; flex: 1; }
`

/**
 * Every day from `from` to `to` (`YYYY-MM-DD`), with the figures of those that have any and
 * zeros for the rest: a quiet day is a zero on the chart, not a gap, and an empty range still
 * has its days (uPlot, given no points or one, guessed an axis that ran years ahead).
 */
export function everyDay(days: DayFigures[], from: string, to: string): DayFigures[] {
  const known = new Map(days.map((d) => [d.day, d]))
  const out: DayFigures[] = []
  const end = Date.parse(`${to}T00:00:00Z`)
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && out.length < 3660; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10)
    out.push(known.get(day) ?? { day, totals: {} })
  }
  return out
}

/** Daily figures as a line chart; the same figures in a table under it. */
export class TrendChart extends LitElement {
  static override properties = { days: { attribute: false }, from: {}, to: {} }
  days: DayFigures[] = []
  /** The range asked for; the axis spans it whatever days have figures. */
  from = ''
  to = ''
  #plot: uPlot | undefined
  #observer: ResizeObserver | undefined
  static #css: string | undefined

  override async updated(): Promise<void> {
    const box = this.renderRoot.querySelector<HTMLDivElement>('.chart')
    if (!box) return
    const [{ default: UPlot }, cssText] = await Promise.all([
      import('uplot'),
      TrendChart.#css ?? import('uplot/dist/uPlot.min.css?inline').then((m: { default: string }) => m.default),
    ])
    TrendChart.#css = cssText
    let style = this.renderRoot.querySelector('style[data-uplot]')
    if (!style) {
      style = document.createElement('style')
      style.setAttribute('data-uplot', '')
      style.textContent = cssText
      this.renderRoot.appendChild(style)
    }
    this.#plot?.destroy()
    if (!this.isConnected) return // left while uPlot loaded
    const days = this.#days()
    const xs = days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000)
    const series = (m: string) => days.map((d) => d.totals[m] ?? 0)
    const [first, last] = [xs[0] ?? 0, xs[xs.length - 1] ?? 0]
    const width = Math.max(280, box.clientWidth)
    this.#plot = new UPlot(
      {
        width,
        height: 220,
        tzDate: (ts: number) => UPlot.tzDate(new Date(ts * 1000), 'UTC'),
        // The range asked for, exactly (a one-day range gets a day either side to be drawn).
        scales: {
          x: { time: true, range: () => (first < last ? [first, last] : [first - 86_400, last + 86_400]) },
          y: { range: (_u: unknown, _min: number, max: number) => [0, Math.max(max, 1)] },
        },
        // Counts are whole: the y axis never ticks at 0.2 (an empty range drew 0, 0.2 … 1).
        axes: [
          { stroke: '#595959' },
          { stroke: '#595959', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6] },
        ],
        hooks: {
          // What the axis was drawn over, for tests and for anyone inspecting the page.
          setScale: [
            (u: uPlot, key: string) => {
              const { min, max } = u.scales[key] ?? {}
              if (key !== 'x' || min == null || max == null) return
              box.dataset.xFrom = new Date(min * 1000).toISOString().slice(0, 10)
              box.dataset.xTo = new Date(max * 1000).toISOString().slice(0, 10)
            },
          ],
        },
        series: [
          { label: st('day') },
          { label: st('Total_Item_Requests'), stroke: palette[0], width: 2 },
          { label: st('Total_Item_Investigations'), stroke: palette[1], width: 2 },
          { label: st('Searches_Regular'), stroke: palette[2], width: 2, dash: [6, 4] },
        ],
      },
      [xs, series('Total_Item_Requests'), series('Total_Item_Investigations'), series('Searches_Regular')],
      box,
    )
    this.#observer ??= new ResizeObserver(() =>
      this.#plot?.setSize({ width: Math.max(280, box.clientWidth), height: 220 }),
    )
    this.#observer.observe(box)
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#observer?.disconnect()
    this.#plot?.destroy()
  }

  /** The days to draw: every day of the range when it is known, else the days given. */
  #days(): DayFigures[] {
    const from = this.from || this.days[0]?.day
    const to = this.to || this.days[this.days.length - 1]?.day
    return from && to ? everyDay(this.days, from, to) : this.days
  }

  override render() {
    return html`<div class="chart" role="img" aria-label=${st('trendLabel')}></div>
      <details>
        <summary>${st('trendTable')}</summary>
        <table>
          <thead><tr><th scope="col">${st('day')}</th><th scope="col">${st('Total_Item_Requests')}</th><th scope="col">${st('Total_Item_Investigations')}</th><th scope="col">${st('Searches_Regular')}</th></tr></thead>
          <tbody>${this.#days().map((d) => html`<tr><td>${d.day}</td><td>${d.totals.Total_Item_Requests ?? 0}</td><td>${d.totals.Total_Item_Investigations ?? 0}</td><td>${d.totals.Searches_Regular ?? 0}</td></tr>`)}</tbody>
        </table>
      </details>`
  }

  static override styles = [
    base,
    css`:host { display: block; } .chart { width: 100%; min-height: 260px; } details { margin-top: 8px; } td, th { padding: 2px 8px; text-align: left; }`,
  ]
}
if (!customElements.get('shulin-trend-chart')) customElements.define('shulin-trend-chart', TrendChart)
