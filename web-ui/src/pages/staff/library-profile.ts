/**
 * @module pages/staff/library-profile
 * The library's name, logo, contact and public URL: admins edit them here and they take effect
 * at once (the node keeps them; the start flags are the fallback shown as placeholders).
 * Librarians see the same form, read-only.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { LibraryProfileSettings, LibraryProfileUpdate } from '@shulin/protocol'
import { base } from '../../styles.js'
import { t } from '../../i18n/index.js'
import { api, session } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { fieldError, formError } from '../../components/form.js'

const fields = [
  ['name', 'libraryName', '--name'],
  ['logoUrl', 'logoUrl', ''],
  ['contact', 'contact', ''],
  ['publicUrl', 'publicUrl', '--public-url'],
] as const

export class StaffLibraryProfile extends LitElement {
  static override properties = { note: { state: true }, error: { state: true }, busy: { state: true } }
  note = ''
  error: unknown = null
  busy = false

  #data = new Task(this, {
    task: () => api<LibraryProfileSettings>('/api/staff/library'),
    args: () => [],
  })

  async #save(e: SubmitEvent): Promise<void> {
    e.preventDefault()
    const form = new FormData(e.target as HTMLFormElement)
    // An emptied field goes back to the start flag's value (null), not to an empty name.
    const value = (k: string) => String(form.get(k) ?? '').trim() || null
    const body: LibraryProfileUpdate = {
      name: value('name'),
      logoUrl: value('logoUrl'),
      contact: value('contact'),
      publicUrl: value('publicUrl'),
    }
    this.busy = true
    this.error = null
    this.note = ''
    try {
      await api<LibraryProfileSettings>('/api/staff/library', { method: 'PUT', body })
      this.note = t('profileSaved')
      window.dispatchEvent(new Event('library-changed'))
      void this.#data.run()
    } catch (err) {
      this.error = err
    } finally {
      this.busy = false
    }
  }

  override render() {
    return taskView(this.#data, (s) => this.#form(s))
  }

  #form(s: LibraryProfileSettings) {
    const admin = session.current?.account.roles.includes('admin') ?? false
    const placeholder = (k: (typeof fields)[number][0]) =>
      k === 'name' ? s.flags.name : k === 'publicUrl' ? (s.flags.publicUrl ?? '') : ''
    return html`
      <section aria-labelledby="profile-h">
        <h2 id="profile-h">${t('libraryProfile')}</h2>
        <p class="muted">${t('libraryProfileHint', { flag: '--name, --public-url' })}</p>
        <form @submit=${(e: SubmitEvent) => void this.#save(e)}>
          ${fields.map(
            ([k, label, flag]) => html`
              <label for="lp-${k}">${t(label)} ${flag ? html`<span class="muted">${flag}</span>` : nothing}</label>
              <input
                id="lp-${k}"
                name=${k}
                .value=${s.saved[k] ?? ''}
                placeholder=${placeholder(k)}
                ?readonly=${!admin}
                aria-describedby="err-${k}"
              />
              ${fieldError(this.error, `/${k}`)}
            `,
          )}
          ${
            admin
              ? html`<p><button type="submit" ?disabled=${this.busy}>${t('save')}</button></p>`
              : html`<p class="muted">${t('readOnlyForLibrarians')}</p>`
          }
          ${formError(this.error)}
          <p role="status" class="muted">${this.note}</p>
        </form>
      </section>
    `
  }

  static override styles = [
    base,
    css`
      input[readonly] { background: transparent; border-style: dashed; }
    `,
  ]
}
customElements.define('shulin-staff-library-profile', StaffLibraryProfile)
