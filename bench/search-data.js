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
