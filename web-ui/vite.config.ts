import { defineConfig } from 'vite'

// The node serves dist/ at `/`; during development `vite` proxies the API to a running node.
export default defineConfig({
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, sourcemap: true, assetsInlineLimit: 0 },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8090', '/opds': 'http://127.0.0.1:8090', '/oai': 'http://127.0.0.1:8090' },
  },
})
