/**
 * @module control/control-file
 * While a node runs it owns the database (LevelDB admits one process). CLI commands that
 * change data then go through the running node: `DATA/run/control.json` tells them where,
 * with a token only someone who can read the data folder has.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'

export const ControlFile = z.object({
  pid: z.number().int(),
  url: z.url(),
  token: z.string().min(32),
  nodeId: z.string(),
})
export type ControlFile = z.infer<typeof ControlFile>

export async function writeControlFile(path: string, info: ControlFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.tmp`
  const fh = await open(tmp, 'w', 0o600)
  await fh.writeFile(JSON.stringify(info))
  await fh.close()
  await rename(tmp, path)
}

export async function readControlFile(path: string): Promise<ControlFile | undefined> {
  try {
    return ControlFile.parse(JSON.parse(await readFile(path, 'utf8')))
  } catch {
    return undefined
  }
}

/**
 * The control file of a node that holds the data folder, waiting up to `waitMs` for it: a node
 * answers its health check a moment before it writes the file (a script that starts a node
 * and then runs a command must not fail in between).
 */
export async function awaitControlFile(path: string, waitMs = 15_000): Promise<ControlFile | undefined> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const found = await readControlFile(path)
    if (found || Date.now() >= deadline) return found
    await new Promise((r) => setTimeout(r, 200))
  }
}

export const removeControlFile = (path: string) => rm(path, { force: true })
