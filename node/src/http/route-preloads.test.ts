import { describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseManifest, preloadedPages, preloadsFor, withPreloads, type ViteManifest } from './route-preloads.js'
import { defaultWebUiDir } from './web-ui.js'

/** A manifest as Vite writes one: an entry, two lazily loaded pages sharing a chunk. */
const manifest: ViteManifest = {
  'index.html': { file: 'assets/index-a.js', isEntry: true, imports: ['_lit-b.js'] },
  '_lit-b.js': { file: 'assets/lit-b.js' },
  '_cover-c.js': { file: 'assets/cover-c.js', imports: ['_lit-b.js', '_api-d.js'] },
  '_api-d.js': { file: 'assets/api-d.js', imports: ['_cover-c.js'] },
  'src/pages/reader/home.ts': { file: 'assets/home-e.js', imports: ['_cover-c.js', '_lit-b.js'] },
  'src/pages/reader/resource.ts': { file: 'assets/resource-f.js', imports: ['_api-d.js'] },
}

describe('module preloads in the shell', () => {
  it("name the home's and a record page's chunks, not the shell's own, each once (cycles included)", () => {
    expect(preloadsFor(manifest, '/')).toEqual(['/assets/home-e.js', '/assets/cover-c.js', '/assets/api-d.js'])
    expect(preloadsFor(manifest, '/r/rec-1')).toEqual([
      '/assets/resource-f.js',
      '/assets/api-d.js',
      '/assets/cover-c.js',
    ])
    expect(preloadsFor(manifest, '/search')).toEqual([])
    expect(preloadsFor(manifest, '/r/a/b')).toEqual([])
    expect(preloadsFor(undefined, '/')).toEqual([])
  })

  it('go before </head>, and a shell without one is left alone', () => {
    const html = withPreloads('<html><head><title>书林</title></head><body></body></html>', ['/assets/home-e.js'])
    expect(html).toContain('<link rel="modulepreload" crossorigin href="/assets/home-e.js">\n  </head>')
    expect(withPreloads('<p>x</p>', ['/assets/home-e.js'])).toBe('<p>x</p>')
  })

  it('come from nothing when the manifest is missing or not Vite’s', () => {
    for (const bad of [undefined, '', '{', '[]', '{"a":{"imports":[]}}'])
      expect(parseManifest(bad), String(bad)).toBeUndefined()
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest)
  })

  // The table names source paths; a page moved or renamed would silently lose its preloads.
  it("name modules the built web UI's manifest still has", async () => {
    const built = parseManifest(await readFile(join(defaultWebUiDir, '.vite', 'manifest.json'), 'utf8'))
    expect(built, 'web-ui/dist/.vite/manifest.json (npm run build)').toBeDefined()
    for (const page of preloadedPages) expect(Object.keys(built!), page.module).toContain(page.module)
    expect(preloadsFor(built, '/').length).toBeGreaterThan(0)
  })
})
