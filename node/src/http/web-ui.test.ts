import { describe, expect, it } from 'vitest'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { tempDir } from '../testing/temp-node.js'
import type { AppEnv } from './env.js'
import { webUiRoutes } from './web-ui.js'

describe('the web UI files', () => {
  const script = `export const shelf = [${Array.from({ length: 2000 }, (_, i) => `"第${i}本"`).join(',')}]\n`

  async function app() {
    const dir = await tempDir()
    await mkdir(join(dir, 'assets'))
    await writeFile(join(dir, 'assets', 'index-abc.js'), script)
    await writeFile(join(dir, 'assets', 'tiny.js'), 'export {}\n')
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>书林</title>')
    const a = new Hono<AppEnv>()
    webUiRoutes(a, { dir: dir + '/' })
    return a
  }

  it('go out brotli- or gzip-compressed as the browser accepts, the same bytes once decoded', async () => {
    const a = await app()
    const br = await a.request('/assets/index-abc.js', { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } })
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(br.headers.get('vary')).toBe('accept-encoding')
    expect(br.headers.get('cache-control')).toContain('immutable')
    const brBytes = Buffer.from(await br.arrayBuffer())
    expect(brBytes.length).toBeLessThan(Buffer.byteLength(script) / 4)
    expect(brotliDecompressSync(brBytes).toString()).toBe(script)

    const gz = await a.request('/assets/index-abc.js', { headers: { 'accept-encoding': 'gzip' } })
    expect(gz.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(script)

    for (const refuses of [undefined, 'identity', 'br;q=0, gzip;q=0.0']) {
      const raw = await a.request('/assets/index-abc.js', refuses ? { headers: { 'accept-encoding': refuses } } : {})
      expect(raw.headers.get('content-encoding'), String(refuses)).toBeNull()
      expect(await raw.text()).toBe(script)
    }
  })

  it('leave small files as they are', async () => {
    const a = await app()
    const tiny = await a.request('/assets/tiny.js', { headers: { 'accept-encoding': 'br, gzip' } })
    expect(tiny.headers.get('content-encoding')).toBeNull()
    expect(await tiny.text()).toBe('export {}\n')
    const shell = await a.request('/search', { headers: { 'accept-encoding': 'br' } })
    expect(shell.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await shell.text()).toContain('书林')
  })

  it("serve the home's shell with its page's module preloads, and other pages' shell without", async () => {
    const dir = await tempDir()
    await mkdir(join(dir, '.vite'), { recursive: true })
    // Over 1 KiB, as the real shell is, so that it goes out compressed.
    const body = `<p>${'书林'.repeat(400)}</p>`
    await writeFile(
      join(dir, 'index.html'),
      `<!doctype html><html><head><title>书林</title></head><body>${body}</body></html>`,
    )
    await writeFile(
      join(dir, '.vite', 'manifest.json'),
      JSON.stringify({
        'index.html': { file: 'assets/index-a.js', isEntry: true },
        'src/pages/reader/home.ts': { file: 'assets/home-b.js' },
      }),
    )
    const a = new Hono<AppEnv>()
    webUiRoutes(a, { dir: dir + '/' })
    for (const encoding of ['br', 'identity']) {
      const home = await a.request('/', { headers: { 'accept-encoding': encoding } })
      expect(home.headers.get('content-encoding')).toBe(encoding === 'br' ? 'br' : null)
      const text =
        encoding === 'br' ? brotliDecompressSync(Buffer.from(await home.arrayBuffer())).toString() : await home.text()
      expect(text).toContain('<link rel="modulepreload" crossorigin href="/assets/home-b.js">')
      expect(home.headers.get('cache-control')).toBe('no-cache')
    }
    const search = await (await a.request('/search')).text()
    expect(search).not.toContain('modulepreload')
    expect(search).toContain('<title>书林</title>')
  })
})
