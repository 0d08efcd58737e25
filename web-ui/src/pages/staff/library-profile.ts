/**
 * @module pages/staff/library-profile
 * The library's name, logo, contact and public URL: admins edit them here and they take effect
 * at once (the node keeps them; the start flags are the fallback shown as placeholders).
 * Librarians see the same form, read-only. Below it: the logo upload (it also makes the app's
 * icons) and the theme colours, whose contrast is shown as they are picked — the node refuses
 * one under AA, so the page says so before the save.
 */
import { LitElement, css, html, nothing } from 'lit'
import { Task } from '@lit/task'
import { contrastRatio, themeGrounds, type LibraryProfileSettings, type LibraryProfileUpdate } from '@shulin/protocol'
import { ft } from '../../i18n/face.js'
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
  static override properties = {
    note: { state: true },
    error: { state: true },
    busy: { state: true },
    colours: { state: true },
    faceNote: { state: true },
    faceError: { state: true },
  }
  note = ''
  error: unknown = null
  busy = false
  /** The colours being picked (before they are saved). */
  colours: { ink: string; accent: string } | null = null
  faceNote = ''
  faceError: unknown = null

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
      // Only the hub's form has it (a member's node refuses it).
      ...(form.has('networkName') ? { networkName: value('networkName') } : {}),
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
    return taskView(this.#data, (s) => html`${this.#form(s)}${this.#face(s)}`)
  }

  /** Runs one change of the face (logo, colours) and tells the shell to show it. */
  async #change(run: () => Promise<unknown>, done: string): Promise<void> {
    this.busy = true
    this.faceError = null
    this.faceNote = ''
    try {
      await run()
      this.faceNote = done
      window.dispatchEvent(new Event('library-changed'))
      void this.#data.run()
    } catch (err) {
      this.faceError = err
    } finally {
      this.busy = false
    }
  }

  #uploadLogo(e: Event): void {
    const file = (e.target as HTMLInputElement).files?.[0]
    if (!file) return
    void this.#change(
      () => api('/api/staff/library/logo', { method: 'PUT', raw: { data: file, type: file.type } }),
      ft('logoUploaded'),
    )
  }

  /** The worst of a colour's two contrasts (white cards, paper), the one the node checks. */
  #contrast(colour: string): number {
    return Math.min(contrastRatio(colour, themeGrounds.card), contrastRatio(colour, themeGrounds.paper))
  }

  #face(s: LibraryProfileSettings) {
    const admin = session.current?.account.roles.includes('admin') ?? false
    const picked = this.colours ?? s.effective.theme ?? { ink: '#1f3a5f', accent: '#b23a2a' }
    const swatch = (key: 'ink' | 'accent', label: string) => {
      const ratio = this.#contrast(picked[key])
      const ok = ratio >= 4.5
      return html`
        <div class="swatch">
          <label for="lp-${key}">${label}</label>
          <input
            id="lp-${key}"
            type="color"
            .value=${picked[key]}
            ?disabled=${!admin}
            aria-describedby="lp-${key}-ratio"
            @input=${(e: Event) => (this.colours = { ...picked, [key]: (e.target as HTMLInputElement).value })}
          />
          <span class="sample" style="background:${picked[key]}">书林 Aa</span>
          <p id="lp-${key}-ratio" class=${ok ? 'muted' : 'field-error'}>
            ${ft(ok ? 'contrastOk' : 'contrastLow', { ratio: ratio.toFixed(1) })}
          </p>
        </div>
      `
    }
    const allOk = this.#contrast(picked.ink) >= 4.5 && this.#contrast(picked.accent) >= 4.5
    return html`
      <section aria-labelledby="logo-h">
        <h2 id="logo-h">${ft('libraryLogo')}</h2>
        ${s.effective.logoUrl ? html`<p><img class="logo" src=${s.effective.logoUrl} alt=${ft('currentLogo')} /></p>` : nothing}
        ${
          admin
            ? html`<label for="lp-logo">${ft('uploadLogo')}</label>
                <input id="lp-logo" type="file" accept="image/png,image/jpeg,image/webp" aria-describedby="lp-logo-hint" ?disabled=${this.busy} @change=${(e: Event) => this.#uploadLogo(e)} />`
            : nothing
        }
        <p id="lp-logo-hint" class="muted">${ft('logoHint')}</p>
      </section>
      <section aria-labelledby="theme-h">
        <h2 id="theme-h">${ft('themeColours')}</h2>
        <p class="muted">${ft('themeHint')}</p>
        <div class="swatches">${swatch('ink', ft('themeInk'))} ${swatch('accent', ft('themeAccent'))}</div>
        ${
          admin
            ? html`<p class="actions">
                <button type="button" ?disabled=${this.busy || !allOk} @click=${() =>
                  void this.#change(
                    () => api('/api/staff/library', { method: 'PUT', body: { theme: picked } }),
                    ft('coloursSaved'),
                  )}>${ft('saveColours')}</button>
                <button type="button" class="secondary" ?disabled=${this.busy || !s.effective.theme} @click=${() => {
                  this.colours = null
                  void this.#change(
                    () => api('/api/staff/library', { method: 'PUT', body: { theme: null } }),
                    ft('coloursSaved'),
                  )
                }}>${ft('defaultColours')}</button>
              </p>`
            : nothing
        }
        ${formError(this.faceError)}
        <p role="status" class="muted">${this.faceNote}</p>
      </section>
    `
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
            s.role === 'hub'
              ? html`<label for="lp-networkName">${ft('networkName')}</label>
                  <input id="lp-networkName" name="networkName" .value=${s.saved.networkName ?? ''} ?readonly=${!admin} aria-describedby="lp-networkName-hint err-networkName" />
                  <p id="lp-networkName-hint" class="muted">${ft('networkNameHint')}</p>
                  ${fieldError(this.error, '/networkName')}`
              : nothing
          }
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
      section + section { margin-top: 24px; }
      img.logo { max-height: 64px; width: auto; background: var(--ink); padding: 6px; border-radius: 6px; }
      .swatches { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); }
      .swatch { display: grid; grid-template-columns: auto 1fr; gap: 6px 10px; align-items: center; }
      .swatch label { grid-column: 1 / -1; }
      .swatch p { grid-column: 1 / -1; margin: 0; }
      input[type='color'] { width: 56px; height: 44px; padding: 2px; }
      .sample { color: #fff; padding: 10px 14px; border-radius: 6px; font-weight: 700; }
      .actions { display: flex; flex-wrap: wrap; gap: 8px; }
    `,
  ]
}
customElements.define('shulin-staff-library-profile', StaffLibraryProfile)
