/**
 * @module resources/identifiers
 * Identifiers of a publication, kept in one canonical string form so that re-importing a
 * record finds the one already there: `urn:isbn:9787020002207`, `urn:issn:0254-4164`,
 * other URNs as given (scheme lower-cased), anything else as `local:<text>`.
 */

/** ISBN-10 → ISBN-13 check, ISBN-13 check digit. */
function isbn13(digits: string): string | null {
  if (/^\d{9}[\dX]$/.test(digits)) {
    let sum = 0
    for (let i = 0; i < 9; i++) sum += (10 - i) * Number(digits[i])
    const check = digits[9] === 'X' ? 10 : Number(digits[9])
    if ((sum + check) % 11 !== 0) return null
    const body = '978' + digits.slice(0, 9)
    return body + isbn13Check(body)
  }
  if (/^97[89]\d{10}$/.test(digits)) return isbn13Check(digits.slice(0, 12)) === digits[12] ? digits : null
  return null
}

function isbn13Check(first12: string): string {
  let sum = 0
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 ? 3 : 1)
  return String((10 - (sum % 10)) % 10)
}

function issn(raw: string): string | null {
  const d = raw.replace(/-/g, '').toUpperCase()
  if (!/^\d{7}[\dX]$/.test(d)) return null
  let sum = 0
  for (let i = 0; i < 7; i++) sum += (8 - i) * Number(d[i])
  const check = (11 - (sum % 11)) % 11
  if ((check === 10 ? 'X' : String(check)) !== d[7]) return null
  return `${d.slice(0, 4)}-${d.slice(4)}`
}

/**
 * Canonical form of one identifier, or `null` when it claims to be an ISBN or ISSN but is not one.
 * @example canonicalIdentifier('ISBN 7-02-000220-X') // 'urn:isbn:9787020002207'
 */
export function canonicalIdentifier(input: string): string | null {
  const text = input.trim()
  if (!text) return null
  const isbnMatch = /^(?:urn:isbn:|isbn[:\s]*)([\dXx\s-]+)$/i.exec(text)
  if (isbnMatch) {
    const n = isbn13(isbnMatch[1]!.replace(/[\s-]/g, '').toUpperCase())
    return n ? `urn:isbn:${n}` : null
  }
  const issnMatch = /^(?:urn:issn:|issn[:\s]*)([\dXx-]+)$/i.exec(text)
  if (issnMatch) {
    const n = issn(issnMatch[1]!)
    return n ? `urn:issn:${n}` : null
  }
  const bare = text.replace(/[\s-]/g, '').toUpperCase()
  if (/^(97[89]\d{10}|\d{9}[\dX])$/.test(bare)) {
    const n = isbn13(bare)
    if (n) return `urn:isbn:${n}`
  }
  const urn = /^urn:([a-z0-9][a-z0-9-]{0,31}):(.+)$/i.exec(text)
  if (urn) return `urn:${urn[1]!.toLowerCase()}:${urn[2]}`
  if (/^(https?|doi|info):/i.test(text)) return text
  return `local:${text}`
}
