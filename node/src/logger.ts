/**
 * @module logger
 * Structured JSON logs (pino), one line per event: on stdout by default, where a container
 * runtime, a supervisor or `journalctl` keeps them; or, for an install without any of those
 * (`--log-file PATH`), in files rotated daily and at 50 MB by pino-roll in a worker thread,
 * the newest `--log-keep` kept. Secrets never go into fields.
 */
import { accessSync, constants, mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pino, type Logger } from 'pino'

export type { Logger }

export interface LogFile {
  path: string
  /** Rotated files kept beside the current one. */
  keep: number
  /** Rotate at this size too. @default '50m' */
  size?: string
}

export function createLogger(level: string, base: Record<string, unknown> = {}, file?: LogFile): Logger {
  const options = {
    level,
    base: { ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['password', '*.password', 'token', '*.token'],
  }
  if (!file) return pino(options)
  const path = resolve(file.path)
  // Checked here, in this thread: the transport's worker would only fail later, and quietly.
  try {
    mkdirSync(dirname(path), { recursive: true })
    accessSync(dirname(path), constants.W_OK)
  } catch (err) {
    throw new Error(
      `cannot write logs to ${path} (${(err as NodeJS.ErrnoException).code}); choose a folder this user may write to with --log-file`,
    )
  }
  const transport = pino.transport({
    target: 'pino-roll',
    options: {
      file: path,
      frequency: 'daily',
      dateFormat: 'yyyy-MM-dd',
      size: file.size ?? '50m',
      mkdir: true,
      // Files of earlier runs count too, or each restart would leave its own set behind.
      limit: { count: file.keep, removeOtherLogFiles: true },
    },
  })
  return pino(options, transport)
}
