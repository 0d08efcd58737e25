/**
 * @module reading/chrome
 * The frame every reader and player shares: a top bar (back, title, tools) and a bottom bar
 * (previous, where you are, next), full screen on a phone.
 */
import { css, html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit'
import { t } from '../i18n/index.js'
import { errorView } from '../components/page-state.js'

/** Listens to the keyboard while the reader is on the page (arrows turn pages). */
export class ReaderKeys implements ReactiveController {
  constructor(
    host: ReactiveControllerHost,
    private readonly onKey: (e: KeyboardEvent) => void,
  ) {
    host.addController(this)
  }
  hostConnected(): void {
    document.addEventListener('keydown', this.onKey)
  }
  hostDisconnected(): void {
    document.removeEventListener('keydown', this.onKey)
  }
}

/** A reader that could not open its work: the message, a retry, and (where asked) the way back. */
export function readerError(err: unknown, retry: () => void, backTo?: string): TemplateResult {
  return html`<div class="pad">${errorView(err, retry)} ${backTo ? html`<a href="/r/${backTo}">${t('back')}</a>` : nothing}</div>`
}

export function topBar(id: string, title: string, tools: TemplateResult | typeof nothing = nothing): TemplateResult {
  return html`<header>
    <a href="/r/${id}" aria-label=${t('back')}>‹ ${t('back')}</a>
    <span class="title">${title}</span>
    ${tools}
  </header>`
}

export function bottomBar(status: string, prev?: () => void, next?: () => void): TemplateResult {
  return html`<footer>
    ${prev ? html`<button class="secondary" aria-label=${t('prevPage')} @click=${prev}>‹</button>` : html`<span></span>`}
    <span role="status">${status}</span>
    ${next ? html`<button class="secondary" aria-label=${t('nextPage')} @click=${next}>›</button>` : html`<span></span>`}
  </footer>`
}

export const chrome = css`
  .pad { padding: 16px; }
  .reader { position: fixed; inset: 0; display: grid; grid-template-rows: auto 1fr auto; background: var(--bg, #fff); color: var(--fg, #1c1c1c); }
  header, footer { display: flex; align-items: center; gap: 8px; padding: 6px 10px; background: var(--paper); border-bottom: 1px solid var(--line); color: var(--text); }
  footer { border-top: 1px solid var(--line); border-bottom: 0; justify-content: space-between; }
  header a { min-height: 44px; display: grid; place-items: center; padding: 0 8px; text-decoration: none; }
  .title { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 700; color: var(--ink); }
  aside { position: absolute; top: 56px; right: 0; bottom: 56px; width: min(360px, 100%); overflow: auto; background: #fff; color: var(--text); padding: 16px; box-shadow: -4px 0 16px rgb(0 0 0 / 0.15); }
  aside ul { list-style: none; padding-left: 12px; }
  .link { background: none; border: 0; color: var(--ink); text-align: left; padding: 4px 0; min-height: 40px; }
`
