/**
 * @module accounts/service
 * Reader and staff accounts: registration, sign-in by any identifier, password changes and
 * resets, and what staff do to readers. HTTP-free: routes and the CLI both call it.
 */
import { createHmac, randomInt } from 'node:crypto'
import {
  identifierCandidates,
  maskResidentId,
  type FieldError,
  type Locale,
  type PasswordPolicy,
  type RegisterRequest,
  type StaffRole,
} from '@shulin/protocol'
import { ProblemError } from '../http/problem.js'
import type { SessionService } from '../sessions/service.js'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { Mutex } from '../storage/mutex.js'
import type { CodeSender } from './code-sender.js'
import {
  dummyHash,
  hashPassword,
  needsRehash,
  passwordProblem,
  temporaryPassword,
  verifyPassword,
  type PasswordMatch,
} from './passwords.js'
import { AccountConflict, AccountStore, newAccountRecord, type AccountRecord, type AccountRecords } from './store.js'
import { LoginThrottle, RateLimit, type Attempt } from './throttle.js'

interface ResetCode {
  codeHash: string
  expiresAt: number
  attempts: number
  sentAt: number
}

export const registrationsPerHour = 100
const codeValidMinutes = 10
const maxCodeAttempts = 5
const codeResendMs = 60_000

const conflictCode = {
  phone: 'phone_taken',
  idNumber: 'id_number_taken',
  username: 'username_taken',
  card: 'card_taken',
} as const
/** Reset requests that may wait to be handled (a minute of an SMS gateway's slowest answers). */
export const maxPendingResets = 256

const conflictPointer = { phone: '/phone', idNumber: '/idNumber', username: '/username', card: '/cardNo' } as const

/** What the library's ILS says of a card and PIN (a SIP2 64/24 answer, in practice). */
export interface IlsPatron {
  validPatron: boolean
  /** `undefined`: the ILS did not say, which is not a yes. */
  validPassword: boolean | undefined
  name: string | null
  blocked: boolean
  /** What the ILS wants the reader told (SIP2 AF). */
  screenMessage: string | null
}

/** The library's ILS. `check` throws a `ProblemError('ils_unavailable')` when it cannot answer. */
export interface IlsPatrons {
  /** Whether an ILS is configured now (the console may change it while the node runs). */
  active(): boolean
  check(card: string, pin: string): Promise<IlsPatron>
}

export interface AccountServiceOptions {
  storage: Storage
  sessions: SessionService
  sender: CodeSender
  /** The node's secret for keyed hashes of resident ID numbers. */
  identifierKey: Buffer
  passwordPolicy: PasswordPolicy
  now?: (() => number) | undefined
  /** With SIP2 configured: readers the node does not know, and those linked before, sign in against the ILS. */
  ils?: IlsPatrons | undefined
}

export interface ClientInfo {
  address: string
  userAgent: string
  locale: Locale
}

export class AccountService {
  readonly store: AccountStore
  readonly throttle: LoginThrottle
  /** Registrations per client address an hour: enough for a sign-up day on the library's Wi-Fi, not for probing phones. */
  readonly registrations: RateLimit
  readonly #codes: Sublevel<ResetCode>
  /** Serialises tries of reset codes: each is counted before the next is compared. */
  readonly #codeLock = new Mutex()
  readonly #now: () => number
  /** Reset requests handled after their answer, in order. */
  #resets: Promise<unknown> = Promise.resolve()
  #pendingResets = 0

  constructor(private readonly opts: AccountServiceOptions) {
    this.store = new AccountStore(opts.storage)
    this.#codes = opts.storage.sublevel<ResetCode>('reset-codes')
    this.#now = opts.now ?? Date.now
    this.throttle = new LoginThrottle(this.#now)
    this.registrations = new RateLimit(registrationsPerHour, 3_600_000, this.#now)
  }

  /**
   * The accounts, read-only: what other modules look up. (`store` itself is still handed to
   * identity by the composition root, which creates visiting accounts in it.)
   */
  get records(): AccountRecords {
    return this.store
  }

  idNumberHash(idNumber: string): string {
    return createHmac('sha256', this.opts.identifierKey).update(`resident-id:${idNumber}`).digest('base64url')
  }

  /** Throws a `validation_failed` problem when the password breaks the node's policy. */
  async checkPolicy(password: string, pointer = '/password'): Promise<void> {
    const problem = await passwordProblem(password, this.opts.passwordPolicy)
    if (problem) throw new ProblemError('validation_failed', { errors: [{ pointer, detail: problem }] })
  }

  #conflict(err: unknown): never {
    if (err instanceof AccountConflict) {
      throw new ProblemError(conflictCode[err.field], {
        errors: [{ pointer: conflictPointer[err.field], detail: conflictCode[err.field] }],
      })
    }
    throw err
  }

  async register(req: RegisterRequest): Promise<AccountRecord> {
    await this.checkPolicy(req.password)
    const passwordHash = await hashPassword(req.password)
    const now = new Date(this.#now()).toISOString()
    const realName = req.mode === 'real-name'
    return this.store
      .create(async ({ nextCardNo }) =>
        newAccountRecord(
          {
            id: this.store.newId(),
            kind: 'reader',
            source: 'register',
            cardNo: await nextCardNo(),
            username: req.username ?? null,
            phone: req.phone ?? null,
            name: realName ? req.name : null,
            idNumberHash: realName ? this.idNumberHash(req.idNumber) : null,
            idNumberMasked: realName ? maskResidentId(req.idNumber) : null,
            // Checksum-valid; verifying it against the national register is a gateway's job.
            realNameVerified: false,
            passwordHash,
          },
          now,
        ),
      )
      .catch((err) => this.#conflict(err))
  }

  /** Finds the account an identifier names: ID number, phone, card number, then username. */
  async resolve(identifier: string): Promise<AccountRecord | undefined> {
    for (const { kind, value } of identifierCandidates(identifier)) {
      const account = await this.store.findBy(kind, kind === 'idNumber' ? this.idNumberHash(value) : value)
      if (account) return account
    }
    return undefined
  }

  /**
   * The throttle key of a sign-in or reset: the account's own id, so that its card number,
   * phone, username and ID number share one count; an identifier naming no account keys by
   * the identifier (the same for every way of writing one value), throttled just the same.
   */
  #throttleKey(identifier: string, account: AccountRecord | undefined): string {
    if (account) return `account:${account.id}`
    const c = identifierCandidates(identifier)[0]
    return c ? `${c.kind}:${c.value}` : `raw:${identifier.trim().toLowerCase()}`
  }

  /** Counts an attempt with the throttle before anything is checked, or refuses it. */
  #reserve(key: string, address: string): Attempt {
    const r = this.throttle.reserve(key, address)
    if (!r.attempt) throw new ProblemError('too_many_attempts', { retryAfterSeconds: r.retryAfter })
    return r.attempt
  }

  /**
   * Checks a password for an identifier. Unknown accounts, wrong passwords and accounts with
   * no password yet all get the same answer in about the same time.
   */
  async authenticate(identifier: string, password: string, client: ClientInfo): Promise<AccountRecord> {
    const account = await this.resolve(identifier)
    const attempt = this.#reserve(this.#throttleKey(identifier, account), client.address)
    if (this.opts.ils?.active() && (!account || account.source === 'sip2')) {
      return this.#authenticateWithIls(this.opts.ils, identifier.trim(), password, account, attempt)
    }
    let match: PasswordMatch
    try {
      match = await verifyPassword(account?.passwordHash ?? (await dummyHash()), password)
      if (!account || !account.passwordHash || !match) {
        attempt.failed()
        throw new ProblemError('invalid_credentials')
      }
      attempt.succeeded()
    } finally {
      attempt.release()
    }
    if (account.status !== 'active') throw new ProblemError('account_disabled')
    // A hash made before passwords were normalised, or with weaker parameters: redo it now.
    if (match === 'unnormalised' || needsRehash(account.passwordHash)) {
      const upgraded = await hashPassword(password)
      return (await this.store.update(account.id, (a) => ({ ...a, passwordHash: upgraded }))) ?? account
    }
    return account
  }

  /**
   * Sign-in of a reader held by the ILS: the ILS checks card and PIN (the node keeps no copy of
   * the PIN); the first success makes a local account linked to the card, named as the ILS
   * names the reader, and later ones follow a change of name. An ILS that cannot answer is not
   * the reader's failure: the attempt is released uncounted.
   */
  async #authenticateWithIls(
    ils: IlsPatrons,
    card: string,
    pin: string,
    account: AccountRecord | undefined,
    attempt: Attempt,
  ): Promise<AccountRecord> {
    let patron: IlsPatron
    try {
      patron = await ils.check(card, pin)
      if (!patron.validPatron || patron.validPassword !== true) {
        attempt.failed()
        throw new ProblemError('invalid_credentials')
      }
      attempt.succeeded()
    } finally {
      attempt.release()
    }
    if (patron.blocked)
      throw new ProblemError('patron_blocked', patron.screenMessage ? { detail: patron.screenMessage } : {})
    if (account) {
      if (account.status !== 'active') throw new ProblemError('account_disabled')
      if (patron.name && patron.name !== account.name) {
        return (await this.store.update(account.id, (a) => ({ ...a, name: patron.name }))) ?? account
      }
      return account
    }
    const now = new Date(this.#now()).toISOString()
    try {
      return await this.store.create(() =>
        newAccountRecord(
          { id: this.store.newId(), kind: 'reader', source: 'sip2', cardNo: card, name: patron.name },
          now,
        ),
      )
    } catch (err) {
      // Two first sign-ins of one card at once: the other made the account.
      const made = err instanceof AccountConflict ? await this.store.findBy('card', card) : undefined
      if (made?.source === 'sip2') return made
      throw err
    }
  }

  /**
   * Changes a signed-in account's password. The current password is a guess like a sign-in's:
   * throttled by the same count (per account and per address, reserved before the check), so a
   * stolen session cannot try passwords faster than the sign-in form, nor have hundreds of
   * concurrent requests each cost a password check.
   */
  async changePassword(
    accountId: string,
    currentPassword: string,
    password: string,
    client: ClientInfo,
  ): Promise<void> {
    const account = await this.store.get(accountId)
    const attempt = this.#reserve(`account:${accountId}`, client.address)
    try {
      if (!account?.passwordHash || !(await verifyPassword(account.passwordHash, currentPassword))) {
        attempt.failed()
        throw new ProblemError('validation_failed', {
          errors: [{ pointer: '/currentPassword', detail: 'invalid_credentials' }],
        })
      }
      attempt.succeeded()
    } finally {
      attempt.release()
    }
    await this.checkPolicy(password)
    await this.#setPassword(accountId, password, false)
    await this.#passwordChanged(accountId)
  }

  async #setPassword(accountId: string, password: string, mustChange: boolean): Promise<void> {
    const passwordHash = await hashPassword(password)
    await this.store.update(accountId, (a) => ({ ...a, passwordHash, mustChangePassword: mustChange }))
  }

  /**
   * Asks for a reset code, answering at once: the lookup, the synced write of the code and the
   * send happen afterwards, one request at a time. Done before the answer, they made a real
   * account's answer slower than an unknown one's (a write to disk and an SMS gateway's round
   * trip), which told a guesser which phone numbers are registered. Past
   * {@link maxPendingResets} waiting, further requests are dropped (the answer is the same).
   * `onError`: what went wrong with one (a sender down, a full disk), for the log.
   */
  requestReset(identifier: string, locale: Locale, onError: (err: unknown) => void): void {
    if (this.#pendingResets >= maxPendingResets) return
    this.#pendingResets++
    const run = this.#resets.then(() => this.forgotPassword(identifier, locale))
    this.#resets = run.catch(onError).finally(() => this.#pendingResets--)
  }

  /** Resolves when every reset asked for so far has been handled. */
  async resetsSettled(): Promise<void> {
    while (this.#pendingResets > 0) await this.#resets
  }

  /** Sends a reset code when the identifier names an account with a phone; says nothing either way. */
  async forgotPassword(identifier: string, locale: Locale): Promise<void> {
    const account = await this.resolve(identifier)
    if (!account?.phone || account.status !== 'active') return
    const now = this.#now()
    const previous = await this.#codes.get(account.id)
    if (previous && now - previous.sentAt < codeResendMs) return
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
    const entry: ResetCode = {
      codeHash: this.#codeHash(account.id, code),
      expiresAt: now + codeValidMinutes * 60_000,
      attempts: 0,
      sentAt: now,
    }
    await this.opts.storage.commit([putOp(this.#codes, account.id, entry)], { sync: true })
    await this.opts.sender.send(
      { phone: account.phone },
      { purpose: 'password-reset', code, validMinutes: codeValidMinutes, locale },
    )
  }

  #codeHash(accountId: string, code: string): string {
    return createHmac('sha256', this.opts.identifierKey).update(`reset:${accountId}:${code}`).digest('base64url')
  }

  /**
   * Sets a new password with a reset code, and ends every session of the account. Guesses
   * are throttled like sign-ins (per account and per address, counted before the check), and
   * each is counted against the code before it is compared.
   */
  async resetPassword(identifier: string, code: string, password: string, client: ClientInfo): Promise<void> {
    // The policy first: a password the node would refuse anyway spends no try of the code.
    await this.checkPolicy(password)
    const account = await this.resolve(identifier)
    const attempt = this.#reserve(`reset:${this.#throttleKey(identifier, account)}`, client.address)
    try {
      if (!account || !(await this.#useCode(account.id, code))) {
        attempt.failed()
        throw new ProblemError('invalid_code')
      }
      attempt.succeeded()
    } finally {
      attempt.release()
    }
    await this.#setPassword(account.id, password, false)
    await this.opts.sessions.endAll(account.id)
    await this.#passwordChanged(account.id)
  }

  /**
   * Whether `code` is the account's live reset code, using it up if so. The try is counted
   * (written through) before the code is compared, under a lock, so concurrent guesses cannot
   * share one count: after {@link maxCodeAttempts} wrong tries the code is dead.
   */
  async #useCode(accountId: string, code: string): Promise<boolean> {
    return this.#codeLock.run(async () => {
      const entry = await this.#codes.get(accountId)
      if (!entry || this.#now() >= entry.expiresAt || entry.attempts >= maxCodeAttempts) return false
      await this.opts.storage.commit([putOp(this.#codes, accountId, { ...entry, attempts: entry.attempts + 1 })], {
        sync: true,
      })
      if (entry.codeHash !== this.#codeHash(accountId, code)) return false
      await this.opts.storage.commit([delOp(this.#codes, accountId)], { sync: true })
      return true
    })
  }

  /** Staff reset: a temporary password to hand over; the reader must change it, other sessions end. */
  async staffResetPassword(accountId: string): Promise<string> {
    const account = await this.#mustGet(accountId)
    const password = temporaryPassword()
    await this.#setPassword(account.id, password, true)
    await this.opts.sessions.endAll(account.id)
    return password
  }

  async setStatus(accountId: string, status: 'active' | 'disabled'): Promise<AccountRecord> {
    await this.#mustGet(accountId)
    const updated = (await this.store.update(accountId, (a) => (a.status === status ? null : { ...a, status })))!
    if (status === 'disabled') await this.opts.sessions.endAll(accountId)
    for (const l of this.#statusListeners) await l(updated)
    return updated
  }

  readonly #statusListeners = new Set<(account: AccountRecord) => Promise<void>>()
  readonly #passwordListeners = new Set<(accountId: string) => Promise<void>>()

  /**
   * Told after a reader changed or reset their own password (notify tells them, so a password
   * changed by someone else is noticed). A listener's failure never undoes the change.
   */
  onPasswordChange(listener: (accountId: string) => Promise<void>): () => void {
    this.#passwordListeners.add(listener)
    return () => this.#passwordListeners.delete(listener)
  }

  async #passwordChanged(accountId: string): Promise<void> {
    for (const l of this.#passwordListeners) await l(accountId).catch(() => {})
  }

  /** Told after staff set an account's status (activities take a disabled reader's likes out of the counts). */
  onStatusChange(listener: (account: AccountRecord) => Promise<void>): () => void {
    this.#statusListeners.add(listener)
    return () => this.#statusListeners.delete(listener)
  }

  async #mustGet(accountId: string): Promise<AccountRecord> {
    const account = await this.store.get(accountId)
    if (!account) throw new ProblemError('not_found')
    return account
  }

  async createStaff(input: {
    username: string
    password: string
    name?: string | undefined
    role: StaffRole
    source: 'setup' | 'staff'
  }): Promise<AccountRecord> {
    await this.checkPolicy(input.password)
    const passwordHash = await hashPassword(input.password)
    const now = new Date(this.#now()).toISOString()
    return this.store
      .create(() =>
        newAccountRecord(
          {
            id: this.store.newId(),
            kind: 'staff',
            source: input.source,
            roles: [input.role],
            username: input.username,
            name: input.name ?? null,
            passwordHash,
          },
          now,
        ),
      )
      .catch((err) => this.#conflict(err))
  }

  /** Field errors for a reader record an import row would create (used by the CSV import). */
  conflictToFieldError(err: unknown): FieldError | null {
    return err instanceof AccountConflict
      ? { pointer: conflictPointer[err.field], detail: conflictCode[err.field] }
      : null
  }
}
