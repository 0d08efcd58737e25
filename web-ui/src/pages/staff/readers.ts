/**
 * @module pages/staff/readers
 * Readers for staff: find by card number, phone or name; disable or enable; import the ILS's
 * CSV export (card number, name, phone) with a progress bar and a list of refused rows.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task, TaskStatus } from '@lit/task'
import type { AccountView, ReaderImportReport, ReaderList } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, upload } from '../../api.js'
import { errorView, taskView } from '../../components/page-state.js'
import '../../components/network-readers.js'
import { kt } from '../../i18n/kosync.js'

export class StaffReaders extends LitElement {
  static override properties = {
    q: { state: true },
    note: { state: true },
    progress: { state: true },
    report: { state: true },
  }
  q = ''
  note = ''
  progress: number | undefined
  report: ReaderImportReport | undefined

  /** The first 50 readers matching the box as it was when searched (typing alone does not search). */
  #data = new Task(this, {
    task: () => {
      const p = new URLSearchParams({ limit: '50' })
      if (this.q) p.set('q', this.q)
      return api<ReaderList>(`/api/staff/readers?${p}`)
    },
    args: () => [],
  })

  #load(): Promise<void> {
    return this.#data.run()
  }

  async #toggle(r: AccountView): Promise<void> {
    try {
      await api(`/api/staff/readers/${r.id}/${r.status === 'active' ? 'disable' : 'enable'}`, { method: 'POST' })
      await this.#load()
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  /** The desk has seen the reader's ID card (or takes that back): audited on the node. */
  async #realName(r: AccountView): Promise<void> {
    try {
      await api(`/api/staff/readers/${r.id}/real-name`, { method: 'POST', body: { verified: !r.realNameVerified } })
      await this.#load()
    } catch (err) {
      this.note = (err as Error).message
    }
  }

  async #import(files: FileList | null): Promise<void> {
    const file = files?.[0]
    if (!file) return
    this.report = undefined
    this.note = ''
    this.progress = 0
    try {
      this.report = await upload<ReaderImportReport>(
        '/api/staff/readers/import',
        file,
        'text/csv',
        (p) => (this.progress = p),
        'POST',
      )
      await this.#load()
    } catch (err) {
      this.note = (err as Error).message
    } finally {
      this.progress = undefined
    }
  }

  override render() {
    if (this.#data.status === TaskStatus.ERROR) return errorView(this.#data.error, () => void this.#load())
    const r = this.report
    return html`
      <shulin-network-readers></shulin-network-readers>
      <section aria-labelledby="imp">
        <h2 id="imp">${t('importReaders')}</h2>
        <p class="muted">${t('importReadersHint')}</p>
        <label class="file">
          <input type="file" accept=".csv,text/csv" class="visually-hidden" @change=${(e: Event) => void this.#import((e.target as HTMLInputElement).files)} />
          <span>${t('chooseFile')}</span>
        </label>
        ${this.progress !== undefined ? html`<label for="ip">${t('uploading', { percent: Math.round(this.progress * 100) })}</label><progress id="ip" max="1" .value=${this.progress}></progress>` : nothing}
        ${
          r
            ? html`<p role="status">${t('importResult', { created: r.created, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected.length })}</p>
              ${
                r.rejected.length
                  ? html`<table>
                    <caption>${t('rejectedRows')}</caption>
                    <thead><tr><th scope="col">${t('line')}</th><th scope="col">${t('cardNo')}</th><th scope="col">${t('reason')}</th></tr></thead>
                    <tbody>${r.rejected.slice(0, 200).map((x) => html`<tr><td>${x.line}</td><td>${x.cardNo ?? ''}</td><td>${x.reason}</td></tr>`)}</tbody>
                  </table>`
                  : nothing
              }`
            : nothing
        }
      </section>
      <section aria-labelledby="list">
        <h2 id="list">${t('staffReaders')}</h2>
        <form class="row" role="search" @submit=${(e: Event) => (e.preventDefault(), void this.#load())}>
          <label class="visually-hidden" for="rq">${t('findReader')}</label>
          <input id="rq" type="search" placeholder=${t('findReader')} .value=${this.q} @input=${(e: Event) => (this.q = (e.target as HTMLInputElement).value)} />
          <button type="submit">${t('searchButton')}</button>
        </form>
        <p role="status" class="muted">${this.note}</p>
        ${taskView(
          this.#data,
          ({ readers }) => html`<table>
              <thead><tr><th scope="col">${t('cardNo')}</th><th scope="col">${t('name')}</th><th scope="col">${t('phone')}</th><th scope="col">${t('status')}</th><th scope="col"><span class="visually-hidden">${t('actions')}</span></th></tr></thead>
              <tbody>
                ${readers.map(
                  (x) => html`<tr>
                    <td>${x.cardNo ?? ''}</td><td>${x.name ?? ''}</td><td>${x.phone ?? ''}</td>
                    <td>${t(x.status === 'active' ? 'active' : 'disabled')} · ${kt(x.realNameVerified ? 'realNameVerified' : 'realNameNotVerified')}</td>
                    <td><button class="secondary" @click=${() => void this.#toggle(x)}>${t(x.status === 'active' ? 'disable' : 'enable')}</button>
                      ${x.home ? nothing : html`<button class="secondary" @click=${() => void this.#realName(x)}>${kt(x.realNameVerified ? 'realNameUnverify' : 'realNameVerify')}</button>`}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`,
        )}
      </section>
    `
  }

  static override styles = [
    base,
    css`
      .row { display: flex; gap: 8px; }
      .row button { flex: none; white-space: nowrap; }
      .file span { display: inline-grid; place-items: center; min-height: 44px; padding: 0 16px; border-radius: var(--radius); background: var(--ink); color: #fff; cursor: pointer; font-weight: 400; }
      .file:focus-within span { outline: 3px solid var(--accent); outline-offset: 2px; }
      progress { width: 100%; }
      table { width: 100%; border-collapse: collapse; background: #fff; margin-top: 8px; }
      th, td { text-align: left; padding: 8px; border-bottom: 1px solid var(--line); }
      caption { text-align: left; font-weight: 700; padding: 8px 0; }
    `,
  ]
}
customElements.define('shulin-staff-readers', StaffReaders)
