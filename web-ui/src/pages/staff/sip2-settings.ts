/**
 * @module pages/staff/sip2-settings
 * The ILS readers sign in against (SIP2), admins only: the URL in use with its password masked,
 * a field to save another (`sip2://USER:PASSWORD@HOST:PORT?institution=ID…`), clearing the
 * console's back to the start setting, and a test of the ILS login.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import type { Sip2SettingsView } from '@shulin/protocol'
import { base } from '../../styles.js'
import { api, session } from '../../api.js'
import { taskView } from '../../components/page-state.js'
import { fieldError, formError } from '../../components/form.js'
import { st } from '../../i18n/sip2.js'

export class StaffSip2Settings extends LitElement {
  static override properties = { note: { state: true }, error: { state: true }, busy: { state: true } }
  note = ''
  error: unknown = null
  busy = false

  #data = new Task(this, {
    task: () => api<Sip2SettingsView>('/api/staff/sip2'),
    args: () => [],
  })

  async #do(work: () => Promise<unknown>, done: string): Promise<void> {
    this.busy = true
    this.error = null
    this.note = ''
    try {
      await work()
      this.note = done
      void this.#data.run()
    } catch (err) {
      this.error = err
    } finally {
      this.busy = false
    }
  }

  #save(e: SubmitEvent): void {
    e.preventDefault()
    const input = this.renderRoot.querySelector<HTMLInputElement>('#sip2-url')
    const url = input?.value.trim() ?? ''
    if (!url) return
    void this.#do(async () => {
      await api<Sip2SettingsView>('/api/staff/sip2', { method: 'PUT', body: { url } })
      // The password leaves the page once sent.
      if (input) input.value = ''
    }, st('sip2Saved'))
  }

  override render() {
    if (!session.current?.account.roles.includes('admin')) return nothing
    return taskView(this.#data, (s) => this.#form(s))
  }

  #form(s: Sip2SettingsView) {
    const source = { console: 'sip2FromConsole', environment: 'sip2FromEnvironment', none: 'sip2None' } as const
    return html`
      <section aria-labelledby="sip2-h">
        <h2 id="sip2-h">${st('sip2Settings')}</h2>
        <p class="muted">${st('sip2Intro')}</p>
        <p>${st('sip2Source')}：${st(source[s.source])}${s.url ? html` <code>${s.url}</code>` : nothing}</p>
        <form @submit=${(e: SubmitEvent) => this.#save(e)} autocomplete="off">
          <label for="sip2-url">${st('sip2Url')}</label>
          <input
            id="sip2-url"
            name="url"
            type="password"
            placeholder="sip2://USER:PASSWORD@HOST:PORT?institution=ID&location=LOC&tls=1"
            aria-describedby="err--url"
          />
          ${fieldError(this.error, '/url')}
          <p>
            <button type="submit" ?disabled=${this.busy}>${st('sip2Save')}</button>
            ${
              s.source === 'console'
                ? html`<button
                  type="button"
                  ?disabled=${this.busy}
                  @click=${() =>
                    void this.#do(
                      () => api('/api/staff/sip2', { method: 'PUT', body: { url: null } }),
                      st('sip2Saved'),
                    )}
                >
                  ${st('sip2Clear')}
                </button>`
                : nothing
            }
            ${
              s.url
                ? html`<button
                  type="button"
                  ?disabled=${this.busy}
                  @click=${() => void this.#do(() => api('/api/staff/sip2/test', { method: 'POST' }), st('sip2TestOk'))}
                >
                  ${st('sip2Test')}
                </button>`
                : nothing
            }
          </p>
          ${formError(this.error)}
          <p role="status" class="muted">${this.note}</p>
        </form>
      </section>
    `
  }

  static override styles = [
    base,
    css`
      code {
        word-break: break-all;
      }
      input {
        width: 100%;
      }
    `,
  ]
}
customElements.define('shulin-staff-sip2-settings', StaffSip2Settings)
