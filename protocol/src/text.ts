/**
 * @module text
 * Building blocks for human text that comes from outside: names, titles, notes.
 */
import { z } from 'zod'

// C0/C1 controls, DEL, line/paragraph separators and bidi overrides: never part of a name.
const controlCharsRe = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u

/** Single-line text a person typed: trimmed, NFC-normalised, no control characters, bounded. */
export const singleLine = (max: number, min = 1) =>
  z
    .string()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(min)
        .max(max)
        .refine((s) => !controlCharsRe.test(s), { message: 'control_characters' }),
    )

export const hasControlChars = (s: string): boolean => controlCharsRe.test(s)
