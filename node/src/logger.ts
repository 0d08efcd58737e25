/**
 * @module logger
 * Structured JSON logs (pino) on stdout, one line per event; a supervisor or `journalctl`
 * keeps them. Secrets never go into fields.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['password', '*.password', 'token', '*.token'],
  })
}
