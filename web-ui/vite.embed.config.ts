import { defineConfig } from 'vite'

// `embed.js` for other sites (src/embed): one ES module the node serves at `/embed.js`, its
// lazily loaded chunks (hls.js) beside it at `/embed-chunks/`, resolved from the script's own URL.
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist/embed',
    emptyOutDir: true,
    sourcemap: true,
    minify: true,
    lib: { entry: 'src/embed/index.ts', formats: ['es'], fileName: () => 'embed.js' },
    rollupOptions: { output: { chunkFileNames: 'embed-chunks/[name]-[hash].js' } },
  },
})
