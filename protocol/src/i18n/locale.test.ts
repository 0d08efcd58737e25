import { describe, expect, it } from 'vitest'
import { pickLocale } from './locale.js'

describe('pickLocale', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['', 'zh-CN'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['en;q=0.5,zh-TW;q=0.8', 'zh-CN'],
    ['fr-FR,en;q=0.5', 'en'],
    ['fr-FR', 'zh-CN'],
    ['en;q=0', 'zh-CN'],
    ['garbage;;;,', 'zh-CN'],
  ])('%s → %s', (header, expected) => expect(pickLocale(header)).toBe(expected))
})
