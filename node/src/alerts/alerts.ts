/**
 * @module alerts
 * E-mail to the operator (`--smtp-url`, `--alert-email`) when something needs a person: a
 * backup failed, the disk runs low, a member has not reached its hub for `--alert-hub-hours`.
 *
 * One mail per condition until it clears: a condition that stays true (a disk that stays
 * low) is checked every minute but mailed once; when it clears, a short "resolved" mail says
 * so and the next occurrence mails again. A mail that could not be sent is not counted as
 * sent, so the next check tries again. What was mailed is kept in memory only: after a
 * restart a condition still true is mailed once more, which is what an operator would want.
 */
import { hostname } from 'node:os'
import nodemailer, { type Transporter } from 'nodemailer'
import type { Logger } from 'pino'

export type AlertCondition = 'backup_failed' | 'low_disk' | 'hub_unreachable'

export interface AlertsOptions {
  smtpUrl: string
  to: string
  logger: Logger
  /** The library's name as it is now (subjects name it: one operator may look after several). */
  libraryName: () => string
  /** Polled every `checkMs`: each answers whether its condition holds now, and a line saying why. */
  checks: Partial<Record<AlertCondition, () => Promise<string | undefined> | string | undefined>>
  /** @default 60000 */
  checkMs?: number
}

const titles: Record<AlertCondition, string> = {
  backup_failed: 'backup failed / 备份失败',
  low_disk: 'disk space low / 磁盘空间不足',
  hub_unreachable: 'hub unreachable / 连不上中心节点',
}

/** The sender: the SMTP account when it is an address (most servers insist), else shulin@this host. */
function sender(smtpUrl: string): string {
  const user = decodeURIComponent(new URL(smtpUrl).username)
  return user.includes('@') ? user : `shulin@${hostname()}`
}

export class Alerts {
  readonly #transport: Transporter
  readonly #active = new Map<AlertCondition, string>()
  #timer: NodeJS.Timeout | undefined
  #checking: Promise<void> | undefined

  constructor(private readonly opts: AlertsOptions) {
    this.#transport = nodemailer.createTransport(opts.smtpUrl)
  }

  start(): void {
    this.#timer = setInterval(() => void this.check(), this.opts.checkMs ?? 60_000)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#checking
    this.#transport.close()
  }

  /** Runs every check once (a check in progress is joined, not doubled). */
  check(): Promise<void> {
    this.#checking ??= this.#checkAll().finally(() => (this.#checking = undefined))
    return this.#checking
  }

  async #checkAll(): Promise<void> {
    for (const [condition, read] of Object.entries(this.opts.checks) as Array<
      [AlertCondition, () => Promise<string | undefined> | string | undefined]
    >) {
      let why: string | undefined
      try {
        why = await read()
      } catch (err) {
        this.opts.logger.warn({ err, condition }, 'an alert check failed')
        continue
      }
      await this.report(condition, why)
    }
  }

  /** Tells the alerts a condition's state: `why` when it holds, undefined when it does not. */
  async report(condition: AlertCondition, why: string | undefined): Promise<void> {
    const active = this.#active.has(condition)
    if (why !== undefined && !active) {
      if (await this.#send(`${titles[condition]}`, why)) this.#active.set(condition, why)
    } else if (why === undefined && active) {
      this.#active.delete(condition)
      await this.#send(`resolved / 已恢复: ${titles[condition]}`, 'The condition has cleared. / 情况已恢复正常。')
    }
  }

  async #send(title: string, text: string): Promise<boolean> {
    const subject = `[Shulin] ${this.opts.libraryName()}: ${title}`
    try {
      await this.#transport.sendMail({ from: sender(this.opts.smtpUrl), to: this.opts.to, subject, text })
      this.opts.logger.warn({ subject, to: this.opts.to }, 'alert mailed')
      return true
    } catch (err) {
      this.opts.logger.error({ err, subject }, 'could not send the alert mail; will try again')
      return false
    }
  }
}
