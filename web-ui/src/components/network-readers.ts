/**
 * @module components/network-readers
 * The hub's unified view of readers across the network, without anyone's data: per library
 * and per region, registered, real-name verified and active readers, as each library last
 * reported them. Shown in the hub's readers tab; a member (where the API answers 404) shows
 * nothing. The figures sit in tables, so screen readers and copy-paste get them as they are;
 * on a phone each table scrolls sideways in a region the keyboard can reach.
 */
import { LitElement, css, html, nothing } from 'lit'
import type { NetworkReaders } from '@shulin/protocol'
import { base } from '../styles.js'
import { locale, t } from '../i18n/index.js'
import { api } from '../api.js'

export class NetworkReadersView extends LitElement {
  static override properties = { view: { state: true } }
  view: NetworkReaders | undefined

  override connectedCallback(): void {
    super.connectedCallback()
    api<NetworkReaders>('/api/staff/identity/readers')
      .then((v) => (this.view = v))
      .catch(() => (this.view = undefined))
  }

  override render() {
    const v = this.view
    if (!v) return nothing
    const n = (x: number) => x.toLocaleString(locale())
    const cells = (c: { registered: number; realNameVerified: number; active: number }) =>
      html`<td>${n(c.registered)}</td><td>${n(c.realNameVerified)}</td><td>${n(c.active)}</td>`
    const head = (first: string) =>
      html`<tr><th scope="col">${first}</th><th scope="col">${t('readersRegistered')}</th><th scope="col">${t('readersRealName')}</th><th scope="col">${t('readersActive')}</th></tr>`
    return html`<section aria-labelledby="nr-h">
      <h2 id="nr-h">${t('networkReaders')}</h2>
      <p class="muted">${t('networkReadersHint', { libraries: n(v.total.libraries) })}</p>
      <div class="scroll" tabindex="0" role="region" aria-label=${t('networkReadersByLibrary')}>
        <table>
          <caption class="visually-hidden">${t('networkReadersByLibrary')}</caption>
          <thead>${head(t('readersLibrary'))}</thead>
          <tbody>
            ${v.libraries.map((l) => html`<tr><th scope="row">${l.name}<br /><span class="muted">${l.region}</span></th>${cells(l)}</tr>`)}
          </tbody>
          <tfoot><tr><th scope="row">${t('readersTotal')}</th>${cells(v.total)}</tr></tfoot>
        </table>
      </div>
      <div class="scroll" tabindex="0" role="region" aria-label=${t('networkReadersByRegion')}>
        <table>
          <caption class="visually-hidden">${t('networkReadersByRegion')}</caption>
          <thead>${head(t('readersRegion'))}</thead>
          <tbody>
            ${v.regions.map((r) => html`<tr><th scope="row">${r.region} <span class="muted">(${r.libraries})</span></th>${cells(r)}</tr>`)}
          </tbody>
        </table>
      </div>
    </section>`
  }

  static override styles = [
    base,
    css`
      .scroll { overflow-x: auto; margin-bottom: 16px; }
      table { border-collapse: collapse; min-width: 100%; }
      th, td { padding: 8px; border-bottom: 1px solid #e4ddd0; text-align: end; white-space: nowrap; }
      th[scope='row'], thead th:first-child { text-align: start; }
      tfoot th, tfoot td { font-weight: 700; }
    `,
  ]
}
customElements.define('shulin-network-readers', NetworkReadersView)
