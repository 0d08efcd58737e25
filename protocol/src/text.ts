/**
 * @module text
 * Building blocks for human text that comes from outside: names, titles, notes.
 */
import { z } from 'zod'

// C0/C1 controls, DEL, line/paragraph separators and bidi overrides: never part of a name.
const controlCharsRe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u

// Half of a surrogate pair: text cut in the middle of a rare character (CJK Extension B and
// beyond). It cannot be encoded as UTF-8 or signed, so it is refused where text comes in.
const loneSurrogateRe = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Whether `s` is well-formed UTF-16 (no lone surrogates). */
export const isWellFormedText = (s: string): boolean => !loneSurrogateRe.test(s)

/** Free text (a description, a licence): bounded and well-formed; lines and spacing kept. */
export const freeText = (max: number) => z.string().max(max).refine(isWellFormedText, { message: 'lone_surrogate' })

// Tabs and line breaks inside a single-line value are spacing, not damage: real catalogues
// hold titles like "新樂府\t賣炭翁" (a tab between a collection's name and the poem's).
const lineSpacingRe = /\r\n|[\t\n\r]/g

/**
 * Single-line text a person typed: tabs and line breaks become a space, then trimmed,
 * NFC-normalised, bounded; any other control character is refused.
 * @example singleLine(500).parse('新樂府\t賣炭翁') // '新樂府 賣炭翁'
 */
export const singleLine = (max: number, min = 1) =>
  z
    .string()
    .transform((s) => s.replace(lineSpacingRe, ' ').normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(min)
        .max(max)
        .refine((s) => !controlCharsRe.test(s), { message: 'control_characters' })
        .refine(isWellFormedText, { message: 'lone_surrogate' }),
    )

export const hasControlChars = (s: string): boolean => controlCharsRe.test(s)
