/**
 * @module resources/cover/generated
 * A designed cover for a record that has none: the title and the author set on a colour
 * chosen by the record's 中图法 class (its first letter) or, without one, its type — so a shelf
 * of uncovered books reads as a shelf of different books (as Apple Books and 微信读书 do),
 * not a row of identical blocks.
 *
 * Pure: metadata in, SVG text out. Everything drawn from the metadata is user input placed
 * inside XML, so every piece of text goes through {@link escapeXml} (which also drops the
 * characters XML cannot hold at all); nothing from the record ever becomes an attribute name,
 * a tag or a URL.
 */
import { createHash } from 'node:crypto'
import { blend, contrastRatio, type Resource } from '@shulin/protocol'

/** Raised when the drawing changes, so caches holding the old drawing revalidate. */
const DESIGN_VERSION = 2

/** What the cover draws (and so what its ETag covers). */
export type CoverInput = {
  type: Resource['type']
  metadata: Pick<Resource['metadata'], 'title' | 'creators' | 'clc' | 'language'>
}

/**
 * The 22 top classes of 中图法 (5th edition), each with a colour dark enough for white text
 * (≥ 4.5 : 1, checked by the test) and far enough from its neighbours to tell shelves apart.
 */
export const classColours: Record<string, { name: string; colour: string }> = {
  A: { name: '马克思主义', colour: '#8c2323' },
  B: { name: '哲学 宗教', colour: '#3d3a7a' },
  C: { name: '社会科学', colour: '#2f5d62' },
  D: { name: '政治 法律', colour: '#7a2e45' },
  E: { name: '军事', colour: '#4a5a28' },
  F: { name: '经济', colour: '#7a5216' },
  G: { name: '文化 教育', colour: '#1f4e8c' },
  H: { name: '语言 文字', colour: '#5e3a80' },
  I: { name: '文学', colour: '#a1362a' },
  J: { name: '艺术', colour: '#8a2f66' },
  K: { name: '历史 地理', colour: '#6b4628' },
  N: { name: '自然科学', colour: '#1b6464' },
  O: { name: '数理科学 化学', colour: '#27407a' },
  P: { name: '天文 地球', colour: '#155a78' },
  Q: { name: '生物科学', colour: '#2e6a3a' },
  R: { name: '医药 卫生', colour: '#1d6b5a' },
  S: { name: '农业科学', colour: '#52661c' },
  T: { name: '工业技术', colour: '#3b4a5e' },
  U: { name: '交通运输', colour: '#8a4512' },
  V: { name: '航空 航天', colour: '#262f62' },
  X: { name: '环境科学', colour: '#2f5e46' },
  Z: { name: '综合性图书', colour: '#4a4a4a' },
}

/** Records without a class: the type's colour (books pick from the class colours by title, below). */
export const typeColours: Record<Resource['type'], { name: string; colour: string } | undefined> = {
  book: undefined,
  audiobook: { name: '有声书', colour: '#6a3d8f' },
  journal: { name: '期刊', colour: '#1f5f7a' },
  'journal-issue': { name: '期刊', colour: '#1f5f7a' },
  article: { name: '文章', colour: '#35566e' },
  'image-set': { name: '图集', colour: '#7a4a1c' },
  video: { name: '视频', colour: '#2c3e66' },
  course: { name: '公开课', colour: '#1e5e4e' },
  lecture: { name: '讲座', colour: '#1e5e4e' },
}

/**
 * Text as XML character data or attribute value: the five markup characters escaped, and the
 * characters XML 1.0 forbids (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) dropped —
 * one of those would make the whole SVG unreadable, which is a broken cover rather than an attack.
 */
export function escapeXml(s: string): string {
  return s
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '',
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** A strong ETag over exactly what the cover draws. */
export function coverEtag(input: CoverInput): string {
  const m = input.metadata
  const key = JSON.stringify([DESIGN_VERSION, input.type, m.title, m.creators, m.clc ?? null, m.language])
  return `"g${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`
}

function hash32(s: string): number {
  let h = 0x811c9dc5
  for (const ch of s) {
    h ^= ch.codePointAt(0) ?? 0
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** Hue turns (degrees) and lightness steps of a class colour's shades. */
const HUE_TURNS = [0, -9, 9, -18, 18] as const
const LIGHTNESS_STEPS = [0, -0.08, 0.05] as const

/** What white text sits on at worst: the colour under the motifs' two light layers. */
export const lightestUnderMotif = (colour: string) => blend('#ffffff', blend('#ffffff', colour, 0.08), 0.07)

/**
 * One of fifteen shades of a class's colour, picked by the title: a shelf of one class (a column of
 * 文学, say) reads as different books of one family rather than a row of identical blocks. The hue
 * turns a little and the lightness steps; a shade that would leave white text under AA (4.5 : 1,
 * under the motifs) is darkened until it does not.
 */
export function shadeOf(colour: string, seed: number): string {
  const [h, s, l] = toHsl(colour)
  const turn = HUE_TURNS[seed % HUE_TURNS.length]!
  const step = LIGHTNESS_STEPS[Math.floor(seed / HUE_TURNS.length) % LIGHTNESS_STEPS.length]!
  let shade = fromHsl((h + turn + 360) % 360, s, Math.min(0.45, Math.max(0.12, l + step)))
  for (let i = 0; i < 20 && contrastRatio('#ffffff', lightestUnderMotif(shade)) < 4.6; i++)
    shade = blend('#000000', shade, 0.06)
  return shade
}

function toHsl(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16)
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => c / 255) as [number, number, number]
  const max = Math.max(r, g, b)
  const min = Math.min(r, g, b)
  const l = (max + min) / 2
  if (max === min) return [0, 0, l]
  const d = max - min
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min)
  const h = max === r ? (g - b) / d + (g < b ? 6 : 0) : max === g ? (b - r) / d + 2 : (r - g) / d + 4
  return [h * 60, s, l]
}

function fromHsl(h: number, s: number, l: number): string {
  const k = (n: number) => (n + h / 30) % 12
  const a = s * Math.min(l, 1 - l)
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)))
  return `#${[0, 8, 4]
    .map((n) =>
      Math.round(f(n) * 255)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`
}

/** The colour and the small label over the title. */
export function coverScheme(input: CoverInput): { colour: string; label: string } {
  const letter = input.metadata.clc?.[0]
  const cls = letter ? classColours[letter] : undefined
  const seed = hash32(input.metadata.title + '\u0000' + (input.metadata.creators[0] ?? ''))
  if (cls) return { colour: shadeOf(cls.colour, seed), label: `${letter} · ${cls.name}` }
  const byType = typeColours[input.type]
  if (byType) return { colour: shadeOf(byType.colour, seed), label: byType.name }
  // An unclassed book: a class colour by its title, so two such books rarely look alike.
  const all = Object.values(classColours)
  return { colour: all[hash32(input.metadata.title) % all.length]!.colour, label: '图书' }
}

// ---- line breaking -------------------------------------------------------------------------

/** Characters a line must not start with / end with (the common 禁则 of Chinese typesetting). */
const noStart = new Set([...'，。、；：？！）」』》〉】〕”’…‥·・﹏—,.;:?!)]}%'])
const noEnd = new Set([...'（「『《〈【〔“‘([{'])

const isWide = (cp: number) =>
  (cp >= 0x1100 && cp <= 0x115f) ||
  (cp >= 0x2e80 && cp <= 0xa4cf) ||
  (cp >= 0xac00 && cp <= 0xd7a3) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0xfe30 && cp <= 0xfe4f) ||
  (cp >= 0xff00 && cp <= 0xff60) ||
  (cp >= 0xffe0 && cp <= 0xffe6) ||
  cp >= 0x20000

/** An estimate of a character's advance in ems (no font metrics on the server; erring wide). */
function advance(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0
  if (isWide(cp)) return 1
  if (ch === ' ') return 0.3
  if (/[A-Z0-9MW]/.test(ch)) return 0.66
  if (/[ijlt.,:;'!|]/.test(ch)) return 0.32
  return 0.56
}

const width = (s: string) => [...s].reduce((w, ch) => w + advance(ch), 0)

/** Pieces a line may break between: one wide character each, or a run of Latin letters/digits. */
function tokens(text: string): string[] {
  const out: string[] = []
  for (const ch of text) {
    const last = out[out.length - 1]
    const narrow = !isWide(ch.codePointAt(0) ?? 0) && ch !== ' '
    if (last !== undefined && narrow && /[^\s]$/.test(last) && !isWide(last.codePointAt(last.length - 1) ?? 0))
      out[out.length - 1] = last + ch
    else out.push(ch)
  }
  return out
}

/**
 * Breaks text into lines no wider than `maxEm`, keeping Latin words whole where they fit,
 * moving a closing mark back onto the line before (and an opening one onto the next), and
 * ending with "…" when it needs more than `maxLines`.
 */
export function breakLines(text: string, maxEm: number, maxLines: number): { lines: string[]; cut: boolean } {
  const lines: string[] = []
  let line = ''
  const push = () => {
    lines.push(line.trimEnd())
    line = ''
  }
  for (const raw of tokens(text.trim().replace(/\s+/g, ' '))) {
    let tok = raw
    if (line === '' && tok === ' ') continue
    if (width(line + tok) <= maxEm) {
      line += tok
      continue
    }
    if (noStart.has(tok) && line) {
      // Hang the mark on this line rather than start the next with it.
      line += tok
      continue
    }
    // A word wider than a whole line is broken by characters.
    while (width(tok) > maxEm) {
      let head = ''
      for (const ch of tok) {
        if (width(line + head + ch) > maxEm) break
        head += ch
      }
      if (!head && !line) head = [...tok][0]!
      line += head
      tok = tok.slice(head.length)
      push()
    }
    if (line) {
      const last = [...line].at(-1)!
      if (noEnd.has(last) && [...line].length > 1) {
        line = line.slice(0, -last.length)
        push()
        line = last
      } else push()
    }
    line = tok === ' ' ? '' : tok
  }
  if (line.trim()) push()
  if (lines.length <= maxLines) return { lines, cut: false }
  const kept = lines.slice(0, maxLines)
  let last = kept[maxLines - 1]!
  while (last && width(last + '…') > maxEm) last = [...last].slice(0, -1).join('')
  kept[maxLines - 1] = last.replace(/[\s，、,.;:：；]+$/, '') + '…'
  return { lines: kept, cut: true }
}

// ---- drawing -------------------------------------------------------------------------------

const W = 300
const H = 400
const LEFT = 44
const TEXT_EM_WIDTH = 216
const serif = `'Noto Serif CJK SC','Source Han Serif SC','Songti SC',STSong,SimSun,serif`
const sans = `'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif`

/** The title's size: the largest whose lines fit the title's space (short titles set large). */
function titleLayout(title: string): { size: number; lines: string[] } {
  const space = 190
  for (const size of [38, 32, 27, 23]) {
    const maxLines = Math.floor(space / (size * 1.3))
    const b = breakLines(title, TEXT_EM_WIDTH / size, maxLines)
    if (!b.cut) return { size, lines: balance(title, b.lines.length, TEXT_EM_WIDTH / size) }
  }
  return { size: 20, lines: breakLines(title, TEXT_EM_WIDTH / 20, Math.floor(space / 26)).lines }
}

/**
 * The narrowest measure that still sets the text in `count` lines: "中国哲学简 / 史" becomes
 * "中国哲 / 学简史" — no lone character left on the last line.
 */
function balance(text: string, count: number, maxEm: number): string[] {
  let best = breakLines(text, maxEm, count).lines
  if (count < 2) return best
  // Never narrower than the widest word: balancing must not split "Programming".
  const floor = Math.max(1, ...tokens(text).map(width))
  for (let em = maxEm - 0.5; em >= floor; em -= 0.5) {
    const b = breakLines(text, em, count)
    if (b.cut) break
    best = b.lines
  }
  return best
}

/** One of four quiet motifs by the title, in white at low opacity: covers of one class still differ. */
function motif(n: number): string {
  switch (n % 4) {
    case 0:
      return `<circle cx="262" cy="338" r="96" fill="#fff" fill-opacity=".08"/><circle cx="262" cy="338" r="56" fill="#fff" fill-opacity=".07"/>`
    case 1:
      return `<path d="M14 360 L90 300 L140 332 L214 268 L300 330 L300 400 L14 400 Z" fill="#fff" fill-opacity=".08"/><path d="M14 380 L120 330 L190 360 L300 310 L300 400 L14 400 Z" fill="#fff" fill-opacity=".07"/>`
    case 2:
      // Kept to the top corner, clear of the title and the authors.
      return `<circle cx="300" cy="0" r="84" fill="#fff" fill-opacity=".08"/><circle cx="300" cy="0" r="52" fill="#fff" fill-opacity=".07"/>`
    default:
      return `<rect x="196" y="270" width="104" height="104" fill="#fff" fill-opacity=".08" transform="rotate(45 248 322)"/>`
  }
}

const lineHeight = 1.3

/** The SVG text of a record's generated cover (300 × 400, 3 : 4). */
export function generatedCoverSvg(input: CoverInput): string {
  const m = input.metadata
  const { colour, label } = coverScheme(input)
  const title = titleLayout(m.title)
  const creators = m.creators.join(m.language.startsWith('zh') || m.language.startsWith('ja') ? '、' : ', ')
  const authorLines = creators ? breakLines(creators, TEXT_EM_WIDTH / 15, 2).lines : []
  const titleTop = 108
  const titleText = title.lines
    .map(
      (l, i) =>
        `<text x="${LEFT}" y="${titleTop + title.size + i * title.size * lineHeight}" font-size="${title.size}">${escapeXml(l)}</text>`,
    )
    .join('')
  const ruleY = titleTop + title.size * (1 + (title.lines.length - 1) * lineHeight) + 22
  const authorText = authorLines
    .map((l, i) => `<text x="${LEFT}" y="${ruleY + 30 + i * 21}" font-size="15">${escapeXml(l)}</text>`)
    .join('')
  const lang = escapeXml(m.language.startsWith('zh') ? 'zh-Hans' : m.language)
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" lang="${lang}" role="img">` +
    `<title>${escapeXml(m.title)}</title>` +
    `<rect width="${W}" height="${H}" fill="${colour}"/>` +
    motif(hash32(m.title)) +
    `<rect width="14" height="${H}" fill="#000" fill-opacity=".22"/>` +
    `<rect x="28" y="22" width="254" height="356" fill="none" stroke="#fff" stroke-opacity=".35"/>` +
    `<g fill="#fff">` +
    `<text x="${LEFT}" y="62" font-family="${sans}" font-size="13" letter-spacing="2" fill-opacity=".86">${escapeXml(label)}</text>` +
    `<g font-family="${serif}" font-weight="700">${titleText}</g>` +
    `<rect x="${LEFT}" y="${ruleY}" width="28" height="2" fill-opacity=".8"/>` +
    `<g font-family="${sans}" fill-opacity=".92">${authorText}</g>` +
    (m.clc
      ? `<text x="${LEFT}" y="360" font-family="${sans}" font-size="12" fill-opacity=".75">${escapeXml(m.clc)}</text>`
      : '') +
    `</g></svg>`
  )
}
