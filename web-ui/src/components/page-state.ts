/**
 * @module components/page-state
 * Loading and error states every page shows the same way: a status line while loading, and a
 * readable message (in the reader's language) with a retry button when something failed.
 */
import { html, type TemplateResult } from 'lit'
import { t } from '../i18n/index.js'

export const loadingView = (): TemplateResult => html`<p class="muted" role="status">${t('loading')}</p>`

export const errorView = (err: unknown, retry?: () => void): TemplateResult =>
  html`<div class="error" role="alert">
    <p>${err instanceof Error ? err.message : t('errorGeneric', { message: String(err) })}</p>
    ${retry ? html`<button class="secondary" @click=${retry}>${t('retry')}</button>` : ''}
  </div>`
