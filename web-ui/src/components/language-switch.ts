/**
 * @module components/language-switch
 * The words inside a language switch button: the other language's name as it is written
 * (English, 中文), spoken in that language, then what the button does, for screen readers only.
 * Its accessible name so starts with the word on screen (WCAG 2.5.3 label in name: a voice
 * user says "English" and the button answers); an aria-label in the page's language alone did not.
 */
import { html } from 'lit'
import { t, type Locale } from '../i18n/index.js'

export const switchLabel = (other: Locale) =>
  html`<span lang=${other}>${t('language')}</span> <span class="visually-hidden">${t('languageLabel')}</span>`
