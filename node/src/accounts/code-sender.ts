/**
 * @module accounts/code-sender
 * How one-time codes reach a reader. The console sender (the default) writes the code to the
 * node's log for staff to pass on; an SMS or mail gateway implements the same interface.
 */
import type { Locale } from '@shulin/protocol'

export interface CodeMessage {
  purpose: 'password-reset' | 'phone-verification'
  code: string
  /** Minutes until the code expires. */
  validMinutes: number
  locale: Locale
}

export interface CodeSender {
  readonly name: string
  send(to: { phone: string }, message: CodeMessage): Promise<void>
}

export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : '****'
}

/** Logs codes instead of sending them: for nodes without an SMS gateway, and for development. */
export function consoleCodeSender(log: (line: string, fields: Record<string, unknown>) => void): CodeSender {
  return {
    name: 'console',
    async send(to, message) {
      log(`one-time code for ${maskPhone(to.phone)}: ${message.code}`, {
        purpose: message.purpose,
        phone: maskPhone(to.phone),
      })
    },
  }
}
