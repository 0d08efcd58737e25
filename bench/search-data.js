// The benchmark corpus for `npm run bench:search` and `npm run bench:abuse`: Tang and Song poems
// from the `chinese-poetry` package (Traditional characters), as search documents, a query set
// with ground truth found by brute force over the same folded text the engines see, and the
// adversarial queries of issue 15.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const depsDir = join(process.cwd(), 'bench', '.search-deps')

/** Installs the corpus and the peers into bench/.search-deps on first run (the node never needs them). */
export function ensureSearchDeps() {
  if (existsSync(join(depsDir, 'node_modules', 'chinese-poetry', 'package.json'))) return
  mkdirSync(depsDir, { recursive: true })
  writeFileSync(
    join(depsDir, 'package.json'),
    JSON.stringify({
      private: true,
      dependencies: { 'chinese-poetry': '2.0.1', minisearch: '^7.2.0', '@orama/orama': '^3.1.18' },
    }),
  )
  process.stderr.write('installing the benchmark corpus and peers into bench/.search-deps …\n')
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', depsDir], { stdio: 'inherit' })
}

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
      poems.push({
        id: `p${poems.length}`,
        title: p.title,
        author: p.author || '佚名',
        text: p.paragraphs.join(''),
        dynasty: f.includes('tang') ? '唐' : '宋',
      })
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
  const containing = (s, fields) =>
    folded.flatMap((f, i) => (fields.some((k) => f[k].includes(s)) ? [poems[i].id] : []))
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
    add(
      'author+word',
      `${author} ${word}`,
      folded.flatMap((f, j) =>
        f.author.includes(fa) && (f.text.includes(fw) || f.title.includes(fw)) ? [poems[j].id] : [],
      ),
    )
  }
  return queries
}

/**
 * Issue 15's adversarial queries, built from the corpus so that they hit its commonest text:
 * repeated tokens (with and without spaces), 1,500 characters of poem text, the commonest
 * bigrams, characters held by 10k records or more, two-letter pinyin, and the empty query.
 * `fold` is what the engines see. Returns `{ kind, q }` objects.
 */
export function makeAbuseQueries(poems, { fold }) {
  const chars = new Map()
  const bigrams = new Map()
  for (const p of poems) {
    const text = [...fold(`${p.title}${p.author}${p.text}`)]
    for (const c of new Set(text)) chars.set(c, (chars.get(c) ?? 0) + 1)
    const seen = new Set()
    for (let i = 1; i < text.length; i++) seen.add(text[i - 1] + text[i])
    for (const b of seen) bigrams.set(b, (bigrams.get(b) ?? 0) + 1)
  }
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k]) => k)
  const [c1, c2, c3] = top(chars, 3)
  const commonBigrams = top(bigrams, 5)
  const broad = [...chars]
    .filter(([, n]) => n >= 10_000)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([c]) => c)
  const to = (s, n) => [...s.repeat(Math.ceil(n / [...s].length))].slice(0, n).join('')
  let long = ''
  for (const p of poems) {
    if (long.length >= 1500) break
    long += p.text
  }
  const out = []
  const add = (kind, q) => out.push({ kind, q })
  add('repeated', '书名1'.repeat(50))
  add('repeated', to(c1 + c2, 256))
  add('repeated', to(c1 + c2 + c3, 255))
  add('repeated', to(commonBigrams[0] + ' ', 256))
  add('repeated', to(`${commonBigrams[0]}${commonBigrams[1]} ${c3}`, 256))
  add('1500 chars', long.slice(0, 1500))
  add('1500 chars', to(c1 + c2, 1500))
  for (const b of commonBigrams) add('common bigram', b)
  for (const c of broad) add('10k-hit prefix', c)
  for (const py of ['sh', 'zh', 'li', 'ji']) add('10k-hit prefix', py)
  add('empty (browse)', '')
  return out
}
