/**
 * @module staff/colour
 * Colour contrast as WCAG 2.1 defines it (relative luminance, 1.4.3 "Contrast (Minimum)"), so
 * the console can refuse a theme colour whose text would not stay readable, and the generated
 * covers can be checked against the same rule. Pure, shared by the node and the web UI.
 */
import { z } from 'zod'

/** `#rrggbb` (lower or upper case). */
export const HexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #rrggbb')

const channel = (c: number) => {
  const s = c / 255
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
}

/** WCAG 2.1 relative luminance of `#rrggbb` (0 black … 1 white). */
export function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16)
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255)
}

/** The contrast ratio of two colours, 1 … 21. AA asks 4.5 for text, 3 for large text and UI parts. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

/** `a` over `b` at `alpha` (0 … 1), as `#rrggbb`: what a translucent layer looks like. */
export function blend(a: string, b: string, alpha: number): string {
  const pa = Number.parseInt(a.slice(1), 16)
  const pb = Number.parseInt(b.slice(1), 16)
  const mix = (shift: number) => Math.round(((pa >> shift) & 255) * alpha + ((pb >> shift) & 255) * (1 - alpha))
  return `#${[16, 8, 0].map((s) => mix(s).toString(16).padStart(2, '0')).join('')}`
}
