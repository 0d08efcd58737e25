/**
 * @module i18n
 * Chinese first, English second: the reader's choice (kept on the device), else the
 * browser's language, else zh-CN. Components call `t(key, params)` and re-render when the
 * locale changes (`locale-changed` on window).
 */
import { zhCN, type MessageKey } from './zh-CN.js'
import { en } from './en.js'

export type Locale = 'zh-CN' | 'en'
const catalogs: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en }
const storageKey = 'shulin.locale'

function initial(): Locale {
  const saved = localStorage.getItem(storageKey)
  if (saved === 'zh-CN' || saved === 'en') return saved
  return navigator.languages.some((l) => l.toLowerCase().startsWith('zh')) ||
    !navigator.languages.some((l) => l.startsWith('en'))
    ? 'zh-CN'
    : 'en'
}

let current: Locale = initial()
document.documentElement.lang = current

export const locale = (): Locale => current

export function setLocale(next: Locale): void {
  current = next
  localStorage.setItem(storageKey, next)
  document.documentElement.lang = next
  window.dispatchEvent(new Event('locale-changed'))
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return catalogs[current][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''))
}

export type { MessageKey }
