/**
 * @module http/web-ui
 * Serves the built web UI (`web-ui/dist`): hashed assets cached for good, `index.html` and
 * the service worker never cached, and `index.html` for every other page path the client
 * router owns (`/search`, `/r/:id`, …). API, catalog and harvest paths are never shadowed.
 * Text files go out brotli- or gzip-compressed when the browser accepts it (compressed once,
 * kept with the file): the shell's script is ~64 kB raw and ~25 kB compressed, which on a
 * phone's network is most of the time to first paint. The shell for the home and a record page
 * names that page's chunks as module preloads (see route-preloads).
 */
import { readFile } from 'node:fs/promises'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'
import type { AppEnv } from './env.js'
import { parseManifest, preloadsFor, withPreloads, type ViteManifest } from './route-preloads.js'

/** Where `npm run build` puts the web UI, from this file's place in node/dist/http/. */
export const defaultWebUiDir = fileURLToPath(new URL('../../../web-ui/dist/', import.meta.url))

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

/** Types worth compressing (images here are PNG, already compressed, or tiny SVG). */
const compressible = /^(text\/|application\/(json|manifest\+json|wasm)|image\/svg)/

interface Served {
  raw: Buffer
  br?: Buffer
  gzip?: Buffer
}

/** The file as stored and, for compressible types over 1 KiB, its brotli and gzip forms. */
function prepare(raw: Buffer, type: string): Served {
  if (!compressible.test(type) || raw.length < 1024) return { raw }
  return {
    raw,
    br: brotliCompressSync(raw, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length },
    }),
    gzip: gzipSync(raw, { level: 9 }),
  }
}

/** The codings an `Accept-Encoding` header allows (RFC 9110 §12.5.3: `q=0` refuses one). */
function accepted(header: string | undefined): Set<string> {
  const ok = new Set<string>()
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.split(';').map((x) => x.trim().toLowerCase())
    const q = params.find((p) => p.startsWith('q='))
    if (name && !(q && Number(q.slice(2)) === 0)) ok.add(name)
  }
  return ok
}

/** Paths that belong to the server, never to the client router. */
const serverOwned = /^\/(api|opds|oai|share|setup|kosync)(\/|$)/

/**
 * The UI's content security policy: its own scripts only; book pages render in `blob:`
 * frames (foliate-js) and may carry inline styles; covers come from this node.
 */
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' blob:",
  "img-src 'self' data: blob:",
  "font-src 'self' data: blob:",
  "media-src 'self' blob:",
  "frame-src 'self' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
].join('; ')

export function webUiRoutes(app: Hono<AppEnv>, opts: { dir?: string } = {}): void {
  const dir = opts.dir ?? defaultWebUiDir
  const cache = new Map<string, Served | null>()
  const load = async (rel: string): Promise<Served | null> => {
    if (cache.has(rel)) return cache.get(rel)!
    const file = normalize(join(dir, rel))
    if (!file.startsWith(normalize(dir + sep))) return null
    const raw = await readFile(file).catch(() => null)
    const served = raw ? prepare(raw, types[extname(rel)] ?? '') : null
    if (cache.size < 500) cache.set(rel, served)
    return served
  }
  let manifest: Promise<ViteManifest | undefined> | undefined
  const shells = new Map<string, Served>()
  /** The shell for a client-router page: with that page's module preloads where it has some. */
  const shellFor = async (path: string): Promise<Served | null> => {
    const plain = await load('index.html')
    manifest ??= readFile(join(dir, '.vite', 'manifest.json'), 'utf8').then(parseManifest, () => undefined)
    const urls = preloadsFor(await manifest, path)
    if (!plain || !urls.length) return plain
    const key = urls.join(' ')
    let shell = shells.get(key)
    if (!shell) {
      shell = prepare(Buffer.from(withPreloads(plain.raw.toString('utf8'), urls)), types['.html']!)
      shells.set(key, shell)
    }
    return shell
  }
  app.get('*', async (c, next) => {
    const path = c.req.path
    if (serverOwned.test(path)) return next()
    let rel = decodeURIComponent(path).replace(/^\/+/, '')
    let body = rel && !rel.endsWith('/') ? await load(rel) : null
    // Client-router pages (no file extension) get the shell.
    if (!body && !extname(rel)) {
      rel = 'index.html'
      body = await shellFor(path)
    }
    if (!body) return next()
    const immutable = rel.startsWith('assets/')
    const headers: Record<string, string> = {
      'content-type': types[extname(rel)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    }
    if (rel.endsWith('.html')) headers['content-security-policy'] = csp
    let bytes = body.raw
    if (body.br || body.gzip) {
      headers['vary'] = 'accept-encoding'
      const ok = accepted(c.req.header('accept-encoding'))
      const encoding = body.br && ok.has('br') ? 'br' : body.gzip && ok.has('gzip') ? 'gzip' : undefined
      if (encoding) {
        headers['content-encoding'] = encoding
        bytes = body[encoding]!
      }
    }
    return c.body(new Uint8Array(bytes), 200, headers)
  })
}
