/**
 * @module cli/common
 * What every `shulin` command shares: one-line failures with exit codes, and running against
 * the data folder directly (node stopped) or through the running node (folder locked).
 */
import { awaitControlFile, type ControlFile } from '../control/control-file.js'
import { dataPaths, openDataFolder } from '../storage/data-folder.js'
import { StorageError } from '../storage/db.js'

/** A failure to report in one line, with the exit code. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

/** Runs `offline` on the opened folder, or `online` through the running node when the folder is locked. */
export async function withNode<T>(
  dataDir: string,
  create: boolean,
  offline: (folder: Awaited<ReturnType<typeof openDataFolder>>) => Promise<T>,
  online: () => Promise<T>,
): Promise<T> {
  let folder
  try {
    folder = await openDataFolder(dataDir, { create })
  } catch (err) {
    if (err instanceof StorageError && err.code === 'locked') return online()
    throw err
  }
  try {
    return await offline(folder)
  } finally {
    await folder.storage.close()
  }
}

/** Where the node holding `dataDir` takes commands (waiting a little for one still starting). */
export async function runningNodeControl(dataDir: string): Promise<ControlFile> {
  const control = await awaitControlFile(dataPaths(dataDir).control)
  if (!control)
    throw new CliError(
      `The data folder ${dataPaths(dataDir).dir} is in use, but the running node left no control file; stop it and try again.`,
    )
  return control
}
