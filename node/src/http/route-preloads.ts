/**
 * @module http/route-preloads
 * The `<link rel="modulepreload">` tags for the page a shell is served for. The app loads each
 * page's module with `import()`, and Vite's preload helper then appends one `<link>` per chunk
 * that module needs: on a phone that work ran inside the app's first script task, and the
 * fetches could only start once the shell's script had run. Named in the HTML instead, the
 * browser fetches them beside the shell's script, and the helper skips chunks whose link the
 * document already holds. The chunk names come from Vite's build manifest
 * (`dist/.vite/manifest.json`, `build.manifest`), so they follow every build.
 */
import { z } from 'zod'

/** Vite's manifest: one entry per source module that became a chunk. */
const manifestSchema = z.record(
  z.string(),
  z.object({
    file: z.string(),
    isEntry: z.boolean().optional(),
    imports: z.array(z.string()).optional(),
  }),
)
export type ViteManifest = z.infer<typeof manifestSchema>

/**
 * The pages whose modules are worth naming up front: the two a reader most often lands on
 * from outside (a shared link, a search engine). The keys are the modules' source paths as
 * the manifest names them; a test checks that the build still has them.
 */
export const preloadedPages: readonly { path: RegExp; module: string }[] = [
  { path: /^\/$/, module: 'src/pages/reader/home.ts' },
  { path: /^\/r\/[^/]+\/?$/, module: 'src/pages/reader/resource.ts' },
]

/** The manifest from its JSON text, or `undefined` when it is missing or not Vite's shape. */
export function parseManifest(text: string | undefined): ViteManifest | undefined {
  if (!text) return undefined
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/** A module's chunk and every chunk it statically imports, depth first, each once. */
function chunksOf(manifest: ViteManifest, key: string, seen = new Set<string>()): string[] {
  const entry = manifest[key]
  if (!entry || seen.has(key)) return []
  seen.add(key)
  return [entry.file, ...(entry.imports ?? []).flatMap((k) => chunksOf(manifest, k, seen))]
}

/**
 * The module the page at `path` loads first, as `/assets/…` URLs, leaving out what the shell
 * itself already loads or preloads (the entry and its imports); empty for any other page.
 */
export function preloadsFor(manifest: ViteManifest | undefined, path: string): string[] {
  if (!manifest) return []
  const page = preloadedPages.find((p) => p.path.test(path))
  if (!page) return []
  const shell = new Set(
    Object.keys(manifest)
      .filter((k) => manifest[k]!.isEntry)
      .flatMap((k) => chunksOf(manifest, k)),
  )
  return chunksOf(manifest, page.module)
    .filter((file) => !shell.has(file))
    .map((file) => '/' + file)
}

/** `html` with a `<link rel="modulepreload">` per URL before `</head>`. */
export function withPreloads(html: string, urls: readonly string[]): string {
  if (!urls.length || !html.includes('</head>')) return html
  const links = urls.map((u) => `<link rel="modulepreload" crossorigin href="${u}">`).join('\n    ')
  return html.replace('</head>', `  ${links}\n  </head>`)
}
