/**
 * @module accounts/reader-import
 * Imports readers from the CSV an ILS exports (card number, name, phone). Idempotent by card
 * number: a second run updates changed names and phones and creates nothing twice. Each row
 * is its own atomic write, so one bad row is reported and the others go in.
 * Imported readers have no password until they set one by reset code or a librarian's reset.
 */
import { parse } from 'csv-parse/sync'
import { normalizeCardNo, normalizePhone, PersonName, type Locale, type ReaderImportReport } from '@shulin/protocol'
import { fieldMessage } from '@shulin/protocol'
import type { AccountService } from './service.js'
import { newAccountRecord } from './store.js'

/** Header names accepted for each column, English and Chinese, compared case-insensitively. */
const headerAliases = {
  cardNo: ['cardno', 'card', 'card_no', 'card number', 'barcode', '读者证号', '证号', '借书证号', '卡号', '条码号'],
  name: ['name', 'reader name', '姓名', '读者姓名'],
  phone: ['phone', 'mobile', 'tel', '手机', '手机号', '手机号码', '电话', '联系电话'],
} as const
export const maxImportRows = 200_000

type Column = keyof typeof headerAliases

function mapHeader(header: string[]): Partial<Record<Column, number>> {
  const out: Partial<Record<Column, number>> = {}
  header.forEach((h, i) => {
    const name = h.trim().toLowerCase()
    for (const [col, aliases] of Object.entries(headerAliases) as Array<[Column, readonly string[]]>) {
      if (aliases.includes(name) && out[col] === undefined) out[col] = i
    }
  })
  return out
}

export class ReaderImportError extends Error {
  override readonly name = 'ReaderImportError'
}

export async function importReadersCsv(
  accounts: AccountService,
  csv: string,
  locale: Locale,
): Promise<ReaderImportReport> {
  const report: ReaderImportReport = { created: 0, updated: 0, unchanged: 0, rejected: [] }
  let rows: string[][]
  try {
    rows = parse(csv, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      to: maxImportRows + 1,
    }) as string[][]
  } catch (err) {
    throw new ReaderImportError(`CSV: ${(err as Error).message}`)
  }
  const [header, ...body] = rows
  if (!header) throw new ReaderImportError(locale === 'en' ? 'The file is empty' : '文件为空')
  const cols = mapHeader(header)
  if (cols.cardNo === undefined) {
    throw new ReaderImportError(
      locale === 'en'
        ? 'No card number column (cardNo / 读者证号) in the header'
        : '表头中没有读者证号列（cardNo / 读者证号）',
    )
  }
  const store = accounts.store
  for (const [i, row] of body.entries()) {
    const line = i + 2
    const rawCard = row[cols.cardNo] ?? ''
    const cardNo = normalizeCardNo(rawCard)
    if (!cardNo) {
      report.rejected.push({ line, cardNo: rawCard.slice(0, 40), reason: fieldMessage('invalid_card', locale) })
      continue
    }
    const rawName = cols.name !== undefined ? (row[cols.name] ?? '') : ''
    const nameResult = rawName ? PersonName.safeParse(rawName) : undefined
    if (nameResult && !nameResult.success) {
      report.rejected.push({ line, cardNo, reason: fieldMessage('control_characters', locale) })
      continue
    }
    const rawPhone = cols.phone !== undefined ? (row[cols.phone] ?? '') : ''
    const phone = rawPhone ? normalizePhone(rawPhone) : null
    if (rawPhone && !phone) {
      report.rejected.push({ line, cardNo, reason: fieldMessage('invalid_phone', locale) })
      continue
    }
    const name = nameResult?.data ?? null
    try {
      const existing = await store.findBy('card', cardNo)
      if (existing) {
        const changed = (name !== null && name !== existing.name) || (phone !== null && phone !== existing.phone)
        if (!changed) {
          report.unchanged++
          continue
        }
        await store.update(existing.id, (a) => ({ ...a, name: name ?? a.name, phone: phone ?? a.phone }))
        report.updated++
      } else {
        const now = new Date().toISOString()
        await store.create(() =>
          newAccountRecord({ id: store.newId(), kind: 'reader', source: 'import', cardNo, phone, name }, now),
        )
        report.created++
      }
    } catch (err) {
      const fe = accounts.conflictToFieldError(err)
      if (!fe) throw err
      report.rejected.push({ line, cardNo, reason: fieldMessage(fe.detail, locale) })
    }
  }
  if (body.length > maxImportRows)
    report.rejected.push({ line: maxImportRows + 2, reason: `more than ${maxImportRows} rows; the rest were not read` })
  return report
}
