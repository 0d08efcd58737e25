/**
 * The offline bundle's entry (started by `shulin` / `shulin.cmd` with the bundle's own Node.js):
 * refuses a bundle made for another platform and one whose files do not match MANIFEST.sha256 —
 * a truncated download, a partial unpack, a file changed since — naming the files at fault and
 * the fix, before anything runs. Then it runs the `shulin` command as usual.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const top = dirname(dirname(fileURLToPath(import.meta.url)))
const fail = (message) => {
  process.stderr.write(`shulin: ${message}\n`)
  process.exit(1)
}
const here = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`
const archive = (id) => (id.startsWith('win') ? `shulin-*-${id}.zip` : `shulin-*-${id}.tar.gz`)

const platform = (await readFile(join(top, 'PLATFORM'), 'utf8').catch(() => '')).trim()
if (!platform) fail(`${top} has no PLATFORM file: it is not a complete Shulin bundle. Unpack the archive again.`)
if (platform !== here)
  fail(`this bundle is for ${platform}, but this machine is ${here}. Use ${archive(here)} (or the container image).`)

const manifest = await readFile(join(top, 'MANIFEST.sha256'), 'utf8').catch(() => null)
if (manifest === null)
  fail(`${join(top, 'MANIFEST.sha256')} is missing: the bundle is incomplete. Unpack ${archive(platform)} again.`)
const bad = []
// Every file is read once: about a second for the whole bundle, paid at each command's start.
// Sixty-four at a time: all at once (some 20,000 files) runs out of file descriptors (EMFILE),
// and a file that could not be opened would be reported as missing.
const lines = manifest.split('\n').filter(Boolean)
let next = 0
const check = async (line) => {
  const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line)
  if (!m) return bad.push(`MANIFEST.sha256: unreadable line "${line.slice(0, 80)}"`)
  let bytes
  try {
    bytes = await readFile(join(top, m[2]))
  } catch (err) {
    return bad.push(
      err.code === 'ENOENT' ? `${m[2]} is missing` : `${m[2]} cannot be read (${err.code ?? err.message})`,
    )
  }
  if (createHash('sha256').update(bytes).digest('hex') !== m[1]) bad.push(`${m[2]} is damaged (its checksum differs)`)
}
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (next < lines.length) await check(lines[next++])
  }),
)
if (bad.length > 0)
  fail(
    `this bundle is corrupt: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}. ` +
      `Nothing was started. Unpack ${archive(platform)} again into an empty folder (or download it again if that fails too); ` +
      `your data folder is not inside the bundle and is not affected.`,
  )

await import('./bin/shulin.js')
