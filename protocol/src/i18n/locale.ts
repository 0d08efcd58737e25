/**
 * @module locale
 * Shulin speaks zh-CN first and English second. One function picks which from Accept-Language.
 */
export const locales = ['zh-CN', 'en'] as const
export type Locale = (typeof locales)[number]

/**
 * Picks the reader's language from an Accept-Language header: English only when the
 * reader prefers it to Chinese; zh-CN otherwise.
 * @example pickLocale('en-US,en;q=0.9,zh;q=0.5') // 'en'
 */
export function pickLocale(header: string | undefined | null): Locale {
  if (!header) return 'zh-CN'
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      const weight = q ? Number(q.slice(2)) : 1
      return { tag: tag.toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, i }
    })
    .filter((r) => r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.i - b.i)
  for (const r of ranked) {
    if (r.tag.startsWith('zh')) return 'zh-CN'
    if (r.tag.startsWith('en')) return 'en'
  }
  return 'zh-CN'
}
