// The benchmark corpus for `npm run bench:search`: Tang and Song poems from the `chinese-poetry`
// package (Traditional characters), as search documents, and a query set with ground truth
// found by brute force over the same folded text the engines see.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Up to `n` poems: all the Tang poems first, then Song poems. */
export function loadPoems(packageDir, n) {
  const dir = join(packageDir, 'dist', 'quantangshi')
  const files = readdirSync(dir)
    .filter((f) => /^poet\.(tang|song)\.\d+\.json$/.test(f))
    .sort((a, b) => {
      const [, ea, na] = a.match(/^poet\.(\w+)\.(\d+)/)
      const [, eb, nb] = b.match(/^poet\.(\w+)\.(\d+)/)
      return ea === eb ? Number(na) - Number(nb) : ea === 'tang' ? -1 : 1
    })
  const poems = []
  for (const f of files) {
    for (const p of JSON.parse(readFileSync(join(dir, f), 'utf8'))) {
      if (!p.title || !Array.isArray(p.paragraphs) || !p.paragraphs.length) continue
      poems.push({ id: `p${poems.length}`, title: p.title, author: p.author || '佚名', text: p.paragraphs.join(''), dynasty: f.includes('tang') ? '唐' : '宋' })
      if (poems.length === n) return poems
    }
  }
  return poems
}

/** A small deterministic random generator (the same queries every run). */
export function rng(seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The query set: Simplified substrings of poem lines, Simplified titles, toneless pinyin of
 * titles (full and initials), and author + word. `toSimplified` is OpenCC's phrase-level
 * converter (what a reader's Simplified input looks like); `fold` and `pinyinOf` are what the
 * engines see. Ground truth is every poem holding the query, by brute force.
 */
export function makeQueries(poems, { toSimplified, fold, pinyinOf }, perKind = 100) {
  const rand = rng(20261124)
  const pick = () => poems[Math.floor(rand() * poems.length)]
  const folded = poems.map((p) => ({ title: fold(p.title), author: fold(p.author), text: fold(p.text) }))
  const titlePy = poems.map((p) => pinyinOf(fold(p.title)))
  const authorPy = poems.map((p) => pinyinOf(fold(p.author), { name: true }))
  const queries = []
  const add = (kind, q, truth) => {
    if (truth.length) queries.push({ kind, q, truth })
  }
  const containing = (s, fields) => folded.flatMap((f, i) => (fields.some((k) => f[k].includes(s)) ? [poems[i].id] : []))
  for (let i = 0; i < perKind; i++) {
    const p = pick()
    const chars = [...p.text]
    const len = 3 + Math.floor(rand() * 5)
    const at = Math.floor(rand() * Math.max(1, chars.length - len))
    const q = toSimplified(chars.slice(at, at + len).join('')).replace(/[^\p{L}\p{N}]/gu, '')
    if ([...q].length >= 2) add('substring', q, containing(fold(q), ['title', 'author', 'text']))
  }
  for (let i = 0; i < perKind; i++) {
    const p = pick()
    const q = toSimplified(p.title).replace(/[^\p{L}\p{N}]/gu, '')
    if ([...q].length >= 2 && [...q].length <= 12) add('title', q, containing(fold(q), ['title']))
  }
  for (let i = 0, tries = 0; i < perKind && tries < perKind * 50; tries++) {
    const idx = Math.floor(rand() * poems.length)
    const py = titlePy[idx]
    if (!py || py.starts.length < 2 || py.starts.length > 6) continue
    const initials = i % 2 === 1
    const q = initials ? py.initials : py.full
    if (q.length < 3) continue
    i++
    // Pinyin names titles and authors alike: either may be what the reader meant.
    const starts = (t) => !!t && (initials ? t.initials : t.full).startsWith(q)
    const truth = poems.flatMap((p, j) => (starts(titlePy[j]) || starts(authorPy[j]) ? [p.id] : []))
    add(initials ? 'pinyin-initials' : 'pinyin', q, truth)
  }
  for (let i = 0; i < perKind; i++) {
    const p = pick()
    const chars = [...p.text].filter((c) => /\p{L}/u.test(c))
    const at = Math.floor(rand() * Math.max(1, chars.length - 2))
    const word = toSimplified(chars.slice(at, at + 2).join(''))
    const author = toSimplified(p.author)
    const fa = fold(author)
    const fw = fold(word)
    if (!fa || [...fw].length < 2) continue
    add('author+word', `${author} ${word}`, folded.flatMap((f, j) => (f.author.includes(fa) && (f.text.includes(fw) || f.title.includes(fw)) ? [poems[j].id] : [])))
  }
  return queries
}
