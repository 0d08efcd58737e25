/**
 * @module pages/staff/node
 * This node at a glance: the library's profile (edited here), its backups, the settings it runs with (set at start by flags), the queries readers searched in vain
 * (what the library may lack), and rebuilding the search index.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { NodeSettings, ReindexResult, ZeroResultList, ZeroResultQuery } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import './library-profile.js'
import './backups.js'
import './wechat-settings.js'
import './sip2-settings.js'

const mb = (n: number) => `${Math.round(n / 1024 ** 2)} MB`
export class StaffNode extends LitElement {
  static override properties = { note: { state: true }, busy: { state: true } }
  note = ''
  busy = false

  #data = new Task(this, {
    task: () =>
      Promise.all([api<NodeSettings>('/api/staff/node'), api<ZeroResultList>('/api/staff/search/misses?limit=50')]),
    args: () => [],
  })

  async #reindex(): Promise<void> {
    this.busy = true
    try {
      const r = await api<ReindexResult>('/api/staff/search/reindex', { method: 'POST' })
      this.note = t('reindexed', { documents: r.documents, ms: r.ms })
    } catch (err) {
      this.note = (err as Error).message
    } finally {
      this.busy = false
    }
  }

  override render() {
    return taskView(this.#data, ([settings, misses]) => this.#settings(settings, misses.queries))
  }

  #settings(h: NodeSettings, misses: ZeroResultQuery[]) {
    const admin = session.current?.account.roles.includes('admin')
    return html`
      ${h.newerVersion ? html`<p class="notice" role="status">${t('newerVersion', { version: h.newerVersion, current: h.version })}</p>` : nothing}
      <shulin-staff-library-profile></shulin-staff-library-profile>
      <shulin-staff-backups></shulin-staff-backups>
      <shulin-staff-wechat-settings></shulin-staff-wechat-settings>
      <shulin-staff-sip2-settings></shulin-staff-sip2-settings>
      <h2>${t('staffNode')}</h2>
      <dl>
        <dt>${t('nodeId')}</dt><dd><code>${h.nodeId}</code></dd>
        <dt>${t('role')}</dt><dd>${h.role} <span class="muted">--role</span></dd>
        <dt>${t('version')}</dt><dd>${h.version}</dd>
        <dt>${t('searchEngine')}</dt><dd>${h.search.engine} · ${h.search.documents}${h.search.diskBytes !== null ? ` · ${mb(h.search.diskBytes)}` : ''} <span class="muted">--search</span></dd>
        <dt>${t('maxUpload')}</dt><dd>${mb(h.maxUploadBytes)} <span class="muted">--max-upload</span></dd>
        <dt>${t('passwordPolicy')}</dt><dd>${h.passwordPolicy} <span class="muted">--password-policy</span></dd>
        <dt>${t('adminEmail')}</dt><dd>${h.adminEmail} <span class="muted">--admin-email</span></dd>
      </dl>
      <p class="muted">${t('settingsHint')}</p>
      ${admin ? html`<button class="secondary" ?disabled=${this.busy} @click=${() => void this.#reindex()}>${t('reindex')}</button>` : nothing}
      <p role="status" class="muted">${this.note}</p>
      <section aria-labelledby="misses">
        <h2 id="misses">${t('zeroResults')}</h2>
        ${
          misses.length
            ? html`<table>
              <thead><tr><th scope="col">${t('query')}</th><th scope="col">${t('times')}</th><th scope="col">${t('lastTime')}</th></tr></thead>
              <tbody>${misses.map((m) => html`<tr><td>${m.query}</td><td>${m.count}</td><td>${new Date(m.lastAt).toLocaleString()}</td></tr>`)}</tbody>
            </table>`
            : html`<p class="muted">${t('nothingYet')}</p>`
        }
      </section>
    `
  }

  static override styles = [
    base,
    css`
      dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 16px; }
      dt { font-weight: 600; }
      .notice { background: #fff8e1; border: 1px solid #e0c36c; border-radius: 6px; padding: 8px 12px; }
      dd { margin: 0; overflow-wrap: anywhere; }
      table { width: 100%; border-collapse: collapse; background: #fff; }
      th, td { text-align: left; padding: 8px; border-bottom: 1px solid var(--line); }
    `,
  ]
}
customElements.define('shulin-staff-node', StaffNode)
