/**
 * @module activities/events/mask
 * How a reader is named at the desk and in the staff's list: enough to tell two people in a
 * queue apart (张*明, 138****8000), never the whole name, phone or card number.
 */
import type { AccountRecord } from '../../accounts/store.js'

/** 张三 → 张*, 张三丰 → 张*丰, 欧阳修文 → 欧**文, Ada Lovelace → A**********e. */
export function maskName(name: string): string {
  const chars = [...name.trim()]
  if (chars.length <= 1) return chars.join('') || '*'
  if (chars.length === 2) return `${chars[0]}*`
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`
}

export function maskPhoneNumber(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}` : '****'
}

/** The name a desk sees: the reader's name masked, else a masked phone, card number or username. */
export function maskedReader(account: Pick<AccountRecord, 'name' | 'phone' | 'cardNo' | 'username'>): string {
  if (account.name) return maskName(account.name)
  if (account.phone) return maskPhoneNumber(account.phone)
  if (account.cardNo) return account.cardNo.length > 4 ? `****${account.cardNo.slice(-4)}` : '****'
  if (account.username) return maskName(account.username)
  return '读者'
}
