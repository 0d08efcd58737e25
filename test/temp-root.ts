/**
 * Vitest's global setup: every test of a run makes its temporary folders under one folder of its
 * own (TMPDIR, which `os.tmpdir()` reads and which the test workers, the node processes and the
 * browsers they start inherit), removed when the run ends. Tests that stop early (a timeout, a
 * failed assertion before its `finally`) no longer leave their data folders behind: one
 * machine's /tmp held 145 `shulin-test-*` and 70 `kosync-*` folders from earlier runs.
 *
 * Each project runs the global setup again (`extends: true`): the first makes the folder, the
 * others keep it. Nested, the folders had made Chromium's path for its singleton socket longer
 * than a Unix socket's 107 bytes, and every browser failed to start.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.SHULIN_TEST_TMPDIR) return async () => {}
  const root = await mkdtemp(join(tmpdir(), 'shulin-vt-'))
  process.env.SHULIN_TEST_TMPDIR = root
  process.env.TMPDIR = root
  return async () => {
    await rm(root, { recursive: true, force: true, maxRetries: 3 })
  }
}
