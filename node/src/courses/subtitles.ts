/**
 * @module courses/subtitles
 * Subtitle files in, WebVTT out. SRT and WebVTT are read into cues (timestamps checked: a
 * broken one is refused with its line number), and written back as WebVTT whose cue text is
 * escaped: only `<b>`, `<i>` and `<u>` survive as markup, so `<script>` or `<img onerror>` in a
 * cue arrives in the player as text. The transcript is the same cues as plain text.
 */

export interface Cue {
  /** Seconds. */
  start: number
  end: number
  /** As WebVTT cue text: escaped, with only b/i/u markup. */
  text: string
}

/** A subtitle file that cannot be read, with where and why. */
export class SubtitleError extends Error {
  override readonly name = 'SubtitleError'
}

export const maxSubtitleBytes = 2 * 1024 * 1024
const maxCues = 50_000

const timestamp = String.raw`(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})`
const timingRe = new RegExp(String.raw`^${timestamp}\s*-->\s*${timestamp}(?:\s+.*)?$`)

function seconds(h: string | undefined, m: string, s: string, ms: string): number | undefined {
  const [hh, mm, ss] = [Number(h ?? 0), Number(m), Number(s)]
  if (mm > 59 || ss > 59 || ms.length !== 3) return undefined
  return hh * 3600 + mm * 60 + ss + Number(ms) / 1000
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f' }
const decode = (t: string) => t.replace(/&(amp|lt|gt|nbsp|lrm|rlm);/g, (_m, e: string) => entities[e]!)

/** Cue text made safe: everything escaped, then plain b/i/u tags given back. */
export function escapeCueText(raw: string): string {
  const escaped = decode(raw).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return escaped.replace(/&lt;(\/?)([biu])&gt;/g, '<$1$2>')
}

/**
 * The text of a subtitle file: UTF-8, or UTF-16 with its byte-order mark, or — as many Chinese
 * SRT files are — GB18030 (GBK), when the bytes are not valid UTF-8.
 */
export function decodeSubtitles(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes)
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes)
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('gb18030').decode(bytes)
  }
}

/** Reads SRT or WebVTT (told apart by the `WEBVTT` header). */
export function parseSubtitles(input: string): Cue[] {
  const text = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const lines = text.split('\n')
  const vtt = /^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '')
  if (!vtt && /^\s*WEBVTT/.test(text)) throw new SubtitleError('line 1: a WebVTT file must begin with the line WEBVTT')
  const cues: Cue[] = []
  let i = vtt ? 1 : 0
  // Skip the rest of the WebVTT header block.
  if (vtt) while (i < lines.length && lines[i]!.trim() !== '') i++
  while (i < lines.length) {
    while (i < lines.length && lines[i]!.trim() === '') i++
    if (i >= lines.length) break
    const blockStart = i
    const block: string[] = []
    while (i < lines.length && lines[i]!.trim() !== '') block.push(lines[i++]!)
    if (vtt && /^(NOTE|STYLE|REGION)\b/.test(block[0]!)) continue
    const t = block.findIndex((l) => l.includes('-->'))
    // A cue's identifier (SRT's number) may precede the timing line, nothing else may.
    if (t < 0 || t > 1) {
      throw new SubtitleError(`line ${blockStart + 1}: expected a timing line such as 00:00:01,000 --> 00:00:04,000`)
    }
    const line = block[t]!.trim()
    const m = timingRe.exec(line)
    const start = m ? seconds(m[1], m[2]!, m[3]!, m[4]!) : undefined
    const end = m ? seconds(m[5], m[6]!, m[7]!, m[8]!) : undefined
    if (start === undefined || end === undefined) {
      throw new SubtitleError(
        `line ${blockStart + t + 1}: broken timestamp “${line.slice(0, 80)}” (expected hh:mm:ss,mmm --> hh:mm:ss,mmm)`,
      )
    }
    if (end < start) throw new SubtitleError(`line ${blockStart + t + 1}: the cue ends before it starts`)
    const body = block
      .slice(t + 1)
      .map(escapeCueText)
      .join('\n')
    if (!body.trim()) continue
    cues.push({ start, end, text: body })
    if (cues.length > maxCues) throw new SubtitleError(`more than ${maxCues} cues`)
  }
  if (!cues.length) throw new SubtitleError('no cues: the file has no subtitles in it')
  return cues
}

function vttTime(s: number): string {
  const ms = Math.round(s * 1000)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`
}

export function toWebVtt(cues: Cue[]): string {
  return `WEBVTT\n\n${cues.map((c) => `${vttTime(c.start)} --> ${vttTime(c.end)}\n${c.text}`).join('\n\n')}\n`
}

/** The cues as plain text (markup dropped, entities read), one line each: a transcript. */
export function transcriptOf(cues: Cue[]): Cue[] {
  return cues.map((c) => ({
    start: c.start,
    end: c.end,
    text: decode(c.text.replace(/<[^>]*>/g, ''))
      .replace(/\s*\n\s*/g, ' ')
      .trim(),
  }))
}

/** A track's name in the subtitle menu, from its language tag. */
export function subtitleLabel(lang: string): string {
  const base = lang.toLowerCase()
  if (base === 'zh' || base.startsWith('zh-'))
    return base.includes('hant') || base === 'zh-tw' ? '中文（繁體）' : '中文'
  const names: Record<string, string> = {
    en: 'English',
    fr: 'Français',
    de: 'Deutsch',
    ja: '日本語',
    ko: '한국어',
    ru: 'Русский',
    es: 'Español',
  }
  return names[base.split('-')[0]!] ?? lang
}
