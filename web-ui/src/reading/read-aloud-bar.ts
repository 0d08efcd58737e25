/**
 * @module reading/read-aloud-bar
 * The read-aloud controls under the reader's top bar: previous sentence, play / pause, next
 * sentence, speed, stop. Every control is a labelled native button or select so a screen reader
 * reaches them in order; the state ("reading aloud", "paused") is announced through a status
 * line, the spoken sentence is only shown (the synthesiser is already saying it).
 */
import { css, html, svg, type TemplateResult } from 'lit'
import { t } from '../i18n/index.js'
import { rates, type ReadAloud } from './read-aloud.js'

export interface ReadAloudBarActions {
  /** Starts reading (from the kept place when it is on the page shown). */
  start: () => void
  /** Stops and closes the bar. */
  close: () => void
}

/** Icons drawn inline: the media glyphs (⏮ ⏭) are missing from many phones' CJK fonts. */
const icon = (d: ReturnType<typeof svg>) =>
  html`<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false" fill="currentColor">${d}</svg>`
const icons = {
  prev: icon(svg`<path d="M6 5h2v14H6zM20 5v14L9 12z" />`),
  next: icon(svg`<path d="M16 5h2v14h-2zM4 5v14l11-7z" />`),
  play: icon(svg`<path d="M7 4v16l13-8z" />`),
  pause: icon(svg`<path d="M6 4h4v16H6zM14 4h4v16h-4z" />`),
  stop: icon(svg`<path d="M6 6h12v12H6z" />`),
}

export function readAloudBar(aloud: ReadAloud, actions: ReadAloudBarActions): TemplateResult {
  if (!aloud.supported)
    return html`<section class="aloud" aria-label=${t('readAloud')}>
      <p role="status">${t('readAloudUnsupported')}</p>
      <button class="secondary" @click=${actions.close}>${t('close')}</button>
    </section>`
  const { state } = aloud
  const play =
    state === 'speaking'
      ? html`<button class="play" aria-label=${t('readAloudPause')} @click=${() => aloud.pause()}>${icons.pause}</button>`
      : state === 'paused'
        ? html`<button class="play" aria-label=${t('readAloudResume')} @click=${() => aloud.resume()}>${icons.play}</button>`
        : html`<button class="play" aria-label=${t('readAloudStart')} @click=${actions.start}>${icons.play}</button>`
  const status =
    state === 'speaking' ? 'readAloudSpeaking' : state === 'paused' ? 'readAloudPaused' : 'readAloudStopped'
  return html`<section class="aloud" aria-label=${t('readAloud')}>
    <div class="controls">
      <button class="secondary" aria-label=${t('prevSentence')} ?disabled=${state === 'stopped'} @click=${() => void aloud.skip(-1)}>${icons.prev}</button>
      ${play}
      <button class="secondary" aria-label=${t('nextSentence')} ?disabled=${state === 'stopped'} @click=${() => void aloud.skip(1)}>${icons.next}</button>
      <label class="rate"
        >${t('speechRate')}
        <select @change=${(e: Event) => aloud.setRate(Number((e.target as HTMLSelectElement).value))}>
          ${rates.map((r) => html`<option value=${r} ?selected=${aloud.rate === r}>${r}×</option>`)}
        </select>
      </label>
      <button class="secondary" aria-label=${t('readAloudStop')} @click=${actions.close}>${icons.stop}</button>
    </div>
    <p class="sentence" data-testid="spoken-sentence">${aloud.sentence}</p>
    <p class="muted small">
      <span role="status">${t(status)}</span> ·
      ${aloud.voice ? t('readAloudVoice', { voice: aloud.voice.name }) : t('readAloudNoVoice')}
    </p>
  </section>`
}

export const readAloudStyles = css`
  .reader.listening { grid-template-rows: auto auto 1fr auto; }
  .aloud { padding: 6px 10px; background: var(--paper); border-bottom: 1px solid var(--line); color: var(--text); }
  .aloud .controls { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
  .aloud button { min-width: 44px; min-height: 44px; padding: 0 10px; display: inline-grid; place-items: center; }
  /* Five tools in the top bar: keep each label on one line, let the title give way, never widen the page. */
  .reader { grid-template-columns: minmax(0, 1fr); }
  header { overflow-x: auto; }
  header button, header a { white-space: nowrap; }
  header button { padding: 0 10px; }
  .aloud .play { min-width: 56px; }
  .aloud .rate { display: flex; align-items: center; gap: 6px; font-weight: 600; margin-left: auto; }
  .aloud .rate select { width: auto; min-height: 44px; }
  .aloud p { margin: 4px 0 0; }
  .aloud .sentence { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .aloud .small { font-size: 0.85rem; }
`
