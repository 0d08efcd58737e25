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
  return format(catalogs[current][key], params)
}

/** One `{n, plural, one {…} other {…}}`: the name, then each category's text. */
const pluralPattern =
  /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*(?:\{\w+\}[^{}]*)*\})+)\s*\}/g
const pluralCase = /(=\d+|zero|one|two|few|many|other)\s*\{((?:[^{}]|\{\w+\})*)\}/g
const rules = new Map<Locale, Intl.PluralRules>()

/**
 * Fills a message's `{name}` slots, and picks the form of an ICU-style plural
 * (`{total, plural, one {# result} other {# results}}`, `#` being the number) by the
 * locale's plural rules — English says "1 result", "2 results"; Chinese has one form.
 * Every catalogue's translator goes through here, so a count reads right in each.
 */
export function format(message: string, params: Record<string, string | number> = {}): string {
  // Most messages have no slot at all: the shell renders a few hundred of them on a page's first paint.
  if (!message.includes('{')) return message
  const withPlurals = message.replace(pluralPattern, (_, name: string, cases: string) => {
    const raw = params[name] ?? ''
    const n = typeof raw === 'number' ? raw : Number(raw)
    const forms = new Map<string, string>()
    for (const [, category, text] of cases.matchAll(pluralCase)) forms.set(category!, text!)
    // A number given already formatted ("1,234") takes the general form, as written.
    if (!Number.isFinite(n)) return (forms.get('other') ?? '').replace(/#/g, String(raw))
    let r = rules.get(current)
    if (!r) rules.set(current, (r = new Intl.PluralRules(current)))
    const text = forms.get(`=${n}`) ?? forms.get(r.select(n)) ?? forms.get('other') ?? ''
    return text.replace(/#/g, n.toLocaleString(current))
  })
  return withPlurals.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''))
}

export type { MessageKey }
