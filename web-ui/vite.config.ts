import { defineConfig } from 'vite'

// The node serves dist/ at `/`; during development `vite` proxies the API to a running node.
export default defineConfig({
  // The manifest lets the node name a page's chunks as module preloads in the shell it serves.
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, sourcemap: true, assetsInlineLimit: 0, manifest: true },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8090', '/opds': 'http://127.0.0.1:8090', '/oai': 'http://127.0.0.1:8090' },
  },
})
