/**
 * Keywords of a lecture's subtitles: known names longest first and across Traditional and
 * Simplified characters, never across a sentence break; works named in 《》; terms from
 * bigrams said at least three times, never made of a name's or a title's characters.
 */
import { describe, expect, it } from 'vitest'
import { keywordsOf, type KnownNames } from './keywords.js'

const known: KnownNames = {
  names: new Map([
    ['李白', { kind: 'person', name: '李白' }],
    ['李白诗选', { kind: 'subject', name: '李白詩選' }],
    ['杜甫', { kind: 'person', name: '杜甫' }],
  ]),
  titles: new Map([['静夜思', ['r1']]]),
}

describe('keywordsOf', () => {
  it('finds known names, works in 《》 and frequent terms', () => {
    const text = '李白的《靜夜思》。李白诗选里有边塞。边塞诗，边塞风光。不是杜。甫'
    const kws = keywordsOf(text, known)
    expect(kws).toEqual([
      { text: '李白', kind: 'person', count: 1, ids: [] },
      { text: '李白詩選', kind: 'subject', count: 1, ids: [] },
      { text: '靜夜思', kind: 'work', count: 1, ids: ['r1'] },
      { text: '边塞', kind: 'term', count: 3, ids: [] },
    ])
  })

  it('makes no term of a title or of a name and its neighbour', () => {
    const text = '讲李白，讲李白，讲李白。《静夜思》《静夜思》《静夜思》'
    const terms = keywordsOf(text, known).filter((k) => k.kind === 'term')
    expect(terms).toEqual([])
  })
})
