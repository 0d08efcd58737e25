/**
 * @module control/control-file
 * While a node runs it owns the database (LevelDB admits one process). CLI commands that
 * change data then go through the running node: `DATA/run/control.json` tells them where,
 * with a token only someone who can read the data folder has.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'

export const ControlFile = z.object({ pid: z.number().int(), url: z.url(), token: z.string().min(32), nodeId: z.string() })
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

export const removeControlFile = (path: string) => rm(path, { force: true })
