import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  resolve: {
    // Unit tests run the workspaces' TypeScript sources; e2e tests run the built CLI.
    alias: {
      '@shulin/protocol': src('./protocol/src/index.ts'),
      '@shulin/federation/identity': src('./federation/src/identity/node-key.ts'),
      '@shulin/federation/envelope': src('./federation/src/envelope/envelope.ts'),
      '@shulin/federation/addresses': src('./federation/src/host/addresses.ts'),
      '@shulin/federation/catalog': src('./federation/src/shards/catalog.ts'),
      '@shulin/federation': src('./federation/src/index.ts'),
      '@shulin/client': src('./client/src/index.ts'),
    },
  },
  test: {
    include: [
      'protocol/src/**/*.test.ts',
      'federation/src/**/*.test.ts',
      'node/src/**/*.test.ts',
      'client/src/**/*.test.ts',
      'test/e2e/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits for something that should happen; its default of 1 s is shorter than a
    // loaded CI machine's pause (a logo upload's message took longer in one CI run). A poll that
    // matches returns at once, so this only delays a real failure.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    reporters: ['default'],
  },
})
