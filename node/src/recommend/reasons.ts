/**
 * @module recommend/reasons
 * The sentence that explains a recommendation, in the reader's language.
 */
import type { Locale, RecommendationSource } from '@shulin/protocol'

/**
 * @param about the title of the reader's read behind it, or a reader group's name
 * @param forRecord on a record's page ("readers of this also read") rather than the reader's own list
 */
export function reasonText(source: RecommendationSource, locale: Locale, about?: string, forRecord = false): string {
  const zh = locale === 'zh-CN'
  switch (source) {
    case 'co-reading':
      // On a record's page the section's heading already says "readers of this also read".
      if (forRecord || !about) return zh ? '常被一起阅读' : 'Often read together'
      return zh ? `因为你读过《${about}》` : `Because you read “${about}”`
    case 'similar':
      if (forRecord || !about) return zh ? '主题相近' : 'On a similar subject'
      return zh ? `与你读过的《${about}》相近` : `Like “${about}”, which you read`
    case 'group':
      return zh ? `${about ?? ''}读者常读` : `Popular with ${about ?? 'your group'}`
    case 'staff-pick':
      return zh ? '馆员推荐' : 'Staff pick'
    case 'popular':
      return zh ? '本馆热门' : 'Popular in this library'
    case 'network':
      return zh ? '全网热门' : 'Popular across the network'
  }
}
