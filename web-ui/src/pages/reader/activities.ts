/**
 * @module pages/reader/activities
 * Reading activities for readers: the list (each with its kind and where it stands, in words,
 * with Beijing dates) and one activity's page — about, rules, the phases, for a recitation the
 * texts with their model readings (范读), the recorder (loaded when opened) and the ranking, for
 * an event the sign-up with the check-in QR code.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { ActivityList, ActivityView } from '@shulin/protocol'
import { base } from '../../styles.js'
import { at } from '../../i18n/activities.js'
import { api, session } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import {
  activityHref,
  activityPaths,
  isOpen,
  kindLabel,
  phaseLabel,
  phaseOrder,
  phaseSummary,
  seconds,
  windowLabel,
} from '../../activities.js'
import type { ActivityRanking } from '../../components/activity-ranking.js'
import '../../components/activity-ranking.js'
import '../../components/event-signup.js'

/** Re-renders a page in the new language when the reader switches. */
class Relabelled extends LitElement {
  #relabel = () => this.requestUpdate()
  override connectedCallback(): void {
    super.connectedCallback()
    window.addEventListener('locale-changed', this.#relabel)
  }
  override disconnectedCallback(): void {
    super.disconnectedCallback()
    window.removeEventListener('locale-changed', this.#relabel)
  }
}

const badges = (a: ActivityView) =>
  html`<span class="badges"><span class="badge">${kindLabel(a)}</span><span class="badge ${a.scope}">${at(a.scope === 'national' ? 'scopeNational' : 'scopeLocal')}</span></span>`

export class ActivitiesPage extends Relabelled {
  #data = new Task(this, { task: () => api<ActivityList>(activityPaths.list), args: () => [] })

  override render() {
    return html`<h1>${at('activities')}</h1>
      ${session.current ? html`<p class="mine"><a href="/me/entries">${at('myEntries')}</a></p>` : nothing}
      ${taskView(this.#data, ({ activities }) =>
        activities.length
          ? html`<ul>
              ${activities.map(
                (a) => html`<li>
                  <a class="card" href=${activityHref(a.id)}>
                    ${a.cover ? html`<img src=${a.cover} alt="" loading="lazy" />` : nothing}
                    <span class="title">${a.title}</span>
                    ${badges(a)}
                    <span class=${a.phase ? 'phase now' : 'phase'}>${phaseSummary(a)}</span>
                    ${a.location ? html`<span class="muted">${at('location', { location: a.location })}</span>` : nothing}
                  </a>
                </li>`,
              )}
            </ul>
            <p class="muted tz">${at('timezoneNote')}</p>`
          : html`<p class="muted">${at('activitiesNone')}</p>`,
      )}`
  }

  static override styles = [
    base,
    css`
      h1 { margin: 0 0 12px; font-size: 1.4rem; }
      .mine { margin: 0 0 12px; }
      .mine a { display: inline-block; min-height: 44px; line-height: 44px; }
      ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 12px; }
      @media (min-width: 800px) { ul { grid-template-columns: 1fr 1fr; } }
      .card { display: grid; gap: 6px; padding: 14px; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); text-decoration: none; color: var(--text); }
      .card:hover { border-color: var(--ink); }
      img { width: 100%; aspect-ratio: 16 / 9; object-fit: cover; border-radius: 6px; }
      .title { font-weight: 700; color: var(--ink); font-size: 1.1rem; }
      .badges { display: flex; gap: 6px; flex-wrap: wrap; }
      .badge { font-size: 0.8rem; padding: 2px 8px; border-radius: 999px; border: 1px solid var(--line); color: var(--muted); }
      .badge.national { border-color: var(--accent); color: var(--accent); }
      .phase { font-size: 0.95rem; color: var(--muted); }
      .phase.now { color: var(--ink); font-weight: 600; }
      .tz { font-size: 0.85rem; }
    `,
  ]
}
customElements.define('shulin-activities-page', ActivitiesPage)

export class ActivityPage extends Relabelled {
  static override properties = {
    activityId: {},
    recording: { state: true },
    recorderReady: { state: true },
    fresh: { state: true },
  }
  /** The activity asked again after a change on the page (seats taken), shown over the first answer. */
  fresh: ActivityView | undefined
  activityId = ''
  /** Whether the recorder is open (its module loads then). */
  recording = false
  recorderReady = false

  #data = new Task(this, {
    task: ([id]) => api<ActivityView>(activityPaths.one(id)),
    args: () => [this.activityId] as const,
  })

  async #refresh(): Promise<void> {
    this.fresh = await api<ActivityView>(activityPaths.one(this.activityId)).catch(() => this.fresh)
  }

  async #openRecorder(): Promise<void> {
    this.recording = true
    await import('../../components/recitation-recorder.js')
    this.recorderReady = true
  }

  #recitation(a: ActivityView) {
    const signedIn = !!session.current
    return html`
      ${
        a.texts.length
          ? html`<section aria-labelledby="texts-h">
            <h2 id="texts-h">${at('texts')}</h2>
            <ul class="texts">
              ${a.texts.map(
                (x) => html`<li>
                  <a href="/r/${encodeURIComponent(x.resource)}">${x.title}</a>
                  ${
                    x.model
                      ? html`<span class="model"><span class="muted">${at('modelReading')}</span>
                        <audio controls preload="none" src=${activityPaths.model(a.id, x.resource)} aria-label="${at('modelReading')}：${x.title}"></audio></span>`
                      : html`<span class="muted">${at('noModelReading')}</span>`
                  }
                </li>`,
              )}
            </ul>
          </section>`
          : nothing
      }
      <p class="muted">${at('maxSeconds', { time: seconds(a.maxSeconds) })} · ${at('maxEntries', { count: a.maxEntries })}</p>
      <section class="take-part">
        ${
          !isOpen(a, 'submission')
            ? html`<p class="muted">${at('recordClosed')}</p>`
            : !signedIn
              ? html`<p><a href="/signin?next=${encodeURIComponent(location.pathname)}">${at('recordSignIn')}</a></p>`
              : this.recording
                ? this.recorderReady
                  ? html`<shulin-recitation-recorder .activity=${a} @submitted=${() => this.renderRoot.querySelector<ActivityRanking>('shulin-activity-ranking')?.refresh()}></shulin-recitation-recorder>`
                  : html`<p class="muted" role="status">…</p>`
                : html`<button class="big" @click=${() => void this.#openRecorder()}>${at('record')}</button>`
        }
        ${signedIn ? html`<a class="mine" href="/me/entries">${at('myEntries')}</a>` : nothing}
      </section>
      <shulin-activity-ranking .activity=${a}></shulin-activity-ranking>
    `
  }

  override render() {
    return taskView(
      this.#data,
      (first) => {
        const a = this.fresh?.id === first.id ? this.fresh : first
        return html`<a class="back" href="/activities">${at('activitiesBack')}</a>
        <article>
          ${a.cover ? html`<img class="cover" src=${a.cover} alt="" />` : nothing}
          <h1>${a.title}</h1>
          ${badges(a)}
          <p class=${a.phase ? 'phase now' : 'phase'}>${phaseSummary(a)}</p>
          <p class="muted">${at('organiser', { name: a.organiser.name })}</p>
          ${a.location ? html`<p>${at('location', { location: a.location })}</p>` : nothing}
          ${
            // An event's sign-up (and its QR code) first: at the desk the reader opens the page to show it.
            a.kind === 'event'
              ? html`<shulin-event-signup .activity=${a} @signup-changed=${() => void this.#refresh()}></shulin-event-signup>`
              : nothing
          }
          <dl class="phases" aria-label=${at('timezoneNote')}>
            ${phaseOrder
              .filter((p) => a.phases[p])
              .map(
                (p) => html`<div class=${a.phase === p ? 'current' : ''}>
                  <dt>${phaseLabel(p)}</dt>
                  <dd>${windowLabel(a.phases[p]!)}</dd>
                </div>`,
              )}
          </dl>
          <p class="muted tz">${at('timezoneNote')}</p>
          ${a.description ? html`<section><h2>${at('description')}</h2><p class="prose">${a.description}</p></section>` : nothing}
          ${a.rules ? html`<section><h2>${at('rules')}</h2><p class="prose">${a.rules}</p></section>` : nothing}
          ${a.kind === 'recitation' ? this.#recitation(a) : nothing}
        </article>`
      },
      { stale: false },
    )
  }

  static override styles = [
    base,
    css`
      .back { display: inline-block; min-height: 44px; line-height: 44px; }
      article { display: grid; gap: 8px; }
      .cover { width: 100%; max-height: 320px; object-fit: cover; border-radius: var(--radius); }
      h1 { margin: 0; font-size: 1.45rem; }
      h2 { font-size: 1.15rem; margin: 16px 0 8px; }
      p { margin: 0; }
      .badges { display: flex; gap: 6px; flex-wrap: wrap; }
      .badge { font-size: 0.8rem; padding: 2px 8px; border-radius: 999px; border: 1px solid var(--line); color: var(--muted); }
      .badge.national { border-color: var(--accent); color: var(--accent); }
      .phase.now { color: var(--ink); font-weight: 700; }
      .phases { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 8px 0 0; padding: 10px 12px; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); }
      .phases div { display: contents; }
      .phases .current { font-weight: 700; color: var(--ink); }
      .phases dd { margin: 0; font-variant-numeric: tabular-nums; }
      .tz { font-size: 0.85rem; }
      .prose { white-space: pre-line; line-height: 1.7; }
      .texts { list-style: none; padding: 0; margin: 0; display: grid; gap: 8px; }
      .texts li { display: grid; gap: 4px; padding: 10px 12px; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); }
      .texts a { font-weight: 600; }
      .model { display: grid; gap: 2px; font-size: 0.9rem; }
      audio { width: 100%; }
      .take-part { display: grid; gap: 8px; margin-top: 12px; }
      .big { min-height: 56px; font-size: 1.1rem; }
      .mine { display: inline-block; min-height: 44px; line-height: 44px; }
      shulin-event-signup { margin-top: 12px; }
    `,
  ]
}
customElements.define('shulin-activity-page', ActivityPage)
