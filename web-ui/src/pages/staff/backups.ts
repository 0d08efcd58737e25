/**
 * @module pages/staff/backups
 * Backups at a glance: the schedule, the last attempt (time, size, file, or why it failed), the
 * backups kept, and — for admins — "back up now".
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { BackupRun, BackupStatus } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { taskView } from '../../components/page-state.js'

const size = (n: number | null) =>
  n === null ? '' : n < 1024 ** 2 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—')
const every = (ms: number) =>
  ms % 86_400_000 === 0
    ? `${ms / 86_400_000}d`
    : ms % 3_600_000 === 0
      ? `${ms / 3_600_000}h`
      : `${Math.round(ms / 60_000)}m`

export class StaffBackups extends LitElement {
  static override properties = { busy: { state: true }, note: { state: true } }
  busy = false
  note = ''

  #data = new Task(this, { task: () => api<BackupStatus>('/api/staff/backups'), args: () => [] })

  async #now(): Promise<void> {
    this.busy = true
    this.note = ''
    try {
      const run = await api<BackupRun>('/api/staff/backups', { method: 'POST' })
      this.note = run.ok ? `${t('backupOk')}: ${run.file ?? ''}` : `${t('backupFailed')}: ${run.error ?? ''}`
    } catch (err) {
      this.note = (err as Error).message
    } finally {
      this.busy = false
      void this.#data.run()
    }
  }

  override render() {
    return taskView(this.#data, (s) => this.#view(s))
  }

  #run(label: string, r: BackupRun | null) {
    return html`<dt>${label}</dt>
      <dd>
        ${
          r
            ? html`<span class=${r.ok ? 'ok' : 'bad'}>${r.ok ? t('backupOk') : t('backupFailed')}</span> · ${when(r.at)}
              ${r.ok ? html` · ${size(r.bytes)} · <code>${r.file}</code>` : html` · <span class="bad">${r.error}</span>`}`
            : t('backupNever')
        }
      </dd>`
  }

  #view(s: BackupStatus) {
    const admin = session.current?.account.roles.includes('admin') ?? false
    return html`
      <section aria-labelledby="backups-h">
        <h2 id="backups-h">${t('backups')}</h2>
        <p class="muted">
          ${
            s.everyMs
              ? t('backupSchedule', { every: every(s.everyMs), keep: s.keep, dir: s.dir })
              : t('backupNoSchedule', { dir: s.dir })
          }
        </p>
        <dl>
          ${this.#run(t('backupLast'), s.last)}
          ${s.last && !s.last.ok ? this.#run(t('backupLastOk'), s.lastOk) : nothing}
          ${s.nextAt ? html`<dt>${t('backupNext')}</dt><dd>${when(s.nextAt)}</dd>` : nothing}
          <dt>${t('backupFiles')}</dt>
          <dd>${s.files.length ? s.files.map((f) => html`<div><code>${f.name}</code> · ${size(f.bytes)}</div>`) : '—'}</dd>
        </dl>
        ${
          admin
            ? html`<button class="secondary" ?disabled=${this.busy || s.running} @click=${() => void this.#now()}>
              ${this.busy || s.running ? t('backupRunning') : t('backupNow')}
            </button>`
            : nothing
        }
        <p role="status" class="muted">${this.note}</p>
      </section>
    `
  }

  static override styles = [
    base,
    css`
      dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 16px; }
      dt { font-weight: 600; }
      dd { margin: 0; overflow-wrap: anywhere; }
      .ok { color: #1a7f37; font-weight: 600; }
      .bad { color: var(--accent); font-weight: 600; }
    `,
  ]
}
customElements.define('shulin-staff-backups', StaffBackups)
