/**
 * @module resident-id
 * The 18-character PRC resident identity number (GB 11643-1999): 6-digit region code,
 * 8-digit birth date, 3-digit sequence, and an ISO 7064 MOD 11-2 check character.
 */

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const
const checkChars = '10X98765432'
const shapeRe = /^[1-9]\d{5}(\d{4})(\d{2})(\d{2})\d{3}[\dX]$/

/** The check character ISO 7064 MOD 11-2 gives for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * weights[i]!
  return checkChars[sum % 11]!
}

/**
 * Normalises (upper-case `x`, strip spaces) and validates a resident ID number.
 * @returns the normalised number, or `null` when shape, birth date or checksum is wrong.
 * @example normalizeResidentId('11010519491231002x') // '11010519491231002X'
 */
export function normalizeResidentId(input: string, today = new Date()): string | null {
  const id = input.replace(/\s+/g, '').toUpperCase()
  const m = shapeRe.exec(id)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const birth = new Date(Date.UTC(y, mo - 1, d))
  if (birth.getUTCFullYear() !== y || birth.getUTCMonth() !== mo - 1 || birth.getUTCDate() !== d) return null
  if (y < 1890 || birth.getTime() > today.getTime()) return null
  if (residentIdCheckChar(id.slice(0, 17)) !== id[17]) return null
  return id
}

/** `110105********002X`: enough for a reader to recognise, useless to anyone else. */
export function maskResidentId(id: string): string {
  return `${id.slice(0, 6)}********${id.slice(14)}`
}
