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
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits for something that should happen; its default of 1 s is shorter than a
    // loaded CI machine's pause (a logo upload's message took longer in one CI run). A poll that
    // matches returns at once, so this only delays a real failure.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // One temporary folder for the whole run, removed at its end (test/temp-root.ts).
    globalSetup: ['./test/temp-root.ts'],
    reporters: ['default'],
    // Two groups, one after the other. The workspaces' own tests (a node in a temporary folder,
    // libp2p over loopback) run two files at a time, each worker keeping its modules from file to
    // file: 235 s here, against 418 s isolated and 624 s one file at a time. The e2e tests start
    // node processes, Chromium and ffmpeg, and are timed against their own deadlines: two at a
    // time took each 1.6 times longer and timed some out, so they run one at a time.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'protocol/src/**/*.test.ts',
            'federation/src/**/*.test.ts',
            'node/src/**/*.test.ts',
            'client/src/**/*.test.ts',
          ],
          maxWorkers: 2,
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
})
