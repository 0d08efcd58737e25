/**
 * @module http/web-ui
 * Serves the built web UI (`web-ui/dist`): hashed assets cached for good, `index.html` and
 * the service worker never cached, and `index.html` for every other page path the client
 * router owns (`/search`, `/r/:id`, …). API, catalog and harvest paths are never shadowed.
 */
import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Hono } from 'hono'
import type { AppEnv } from './env.js'

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
  const cache = new Map<string, Buffer | null>()
  const load = async (rel: string): Promise<Buffer | null> => {
    if (cache.has(rel)) return cache.get(rel)!
    const file = normalize(join(dir, rel))
    if (!file.startsWith(normalize(dir + sep))) return null
    const body = await readFile(file).catch(() => null)
    if (cache.size < 500) cache.set(rel, body)
    return body
  }
  app.get('*', async (c, next) => {
    const path = c.req.path
    if (serverOwned.test(path)) return next()
    let rel = decodeURIComponent(path).replace(/^\/+/, '')
    let body = rel && !rel.endsWith('/') ? await load(rel) : null
    // Client-router pages (no file extension) get the shell.
    if (!body && !extname(rel)) {
      rel = 'index.html'
      body = await load(rel)
    }
    if (!body) return next()
    const immutable = rel.startsWith('assets/')
    const headers: Record<string, string> = {
      'content-type': types[extname(rel)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    }
    if (rel.endsWith('.html')) headers['content-security-policy'] = csp
    return c.body(new Uint8Array(body), 200, headers)
  })
}
