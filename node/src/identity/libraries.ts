/**
 * @module identity/libraries
 * The member libraries a reader may pick as home, with toneless pinyin of each name so that a
 * phone keyboard without an IME finds 临安县图书馆 by `linan` or `lax`.
 */
import type { HomeLibrary } from '@shulin/protocol'
import { loadPinyin, pinyinOf } from '../search/text/pinyin.js'
import { homeOf, type Network } from './network.js'

export async function librariesOf(net: Network): Promise<HomeLibrary[]> {
  await loadPinyin()
  const out: HomeLibrary[] = []
  for (const e of net.entries()) {
    if (!homeOf(net, e.nodeId)) continue
    const p = pinyinOf(e.name, { name: false })
    out.push({
      nodeId: e.nodeId,
      name: e.name,
      region: e.region,
      level: e.level,
      pinyin: p?.full ?? '',
      initials: p?.initials ?? '',
    })
  }
  return out.sort((a, b) => a.region.localeCompare(b.region) || a.name.localeCompare(b.name, 'zh-CN'))
}
