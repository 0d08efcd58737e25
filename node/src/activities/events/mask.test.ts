/** Masked names at the desk: enough to tell two people apart, never the whole name or number. */
import { describe, expect, it } from 'vitest'
import { maskedReader, maskName } from './mask.js'

describe('masked names', () => {
  it('keeps the first and last character of a name', () => {
    expect(maskName('张三')).toBe('张*')
    expect(maskName('张三丰')).toBe('张*丰')
    expect(maskName('欧阳修文')).toBe('欧**文')
    expect(maskName('阿依古丽·买买提')).toBe('阿******提')
    expect(maskName('王')).toBe('王')
  })
  it('falls back to a masked phone, card number or username', () => {
    const none = { name: null, phone: null, cardNo: null, username: null }
    expect(maskedReader({ ...none, phone: '13800138000' })).toBe('138****8000')
    expect(maskedReader({ ...none, cardNo: 'A0012345678' })).toBe('****5678')
    expect(maskedReader({ ...none, cardNo: '1234' })).toBe('****')
    expect(maskedReader({ ...none, username: 'reader_li' })).toBe('r*******i')
    expect(maskedReader(none)).toBe('读者')
  })
})
