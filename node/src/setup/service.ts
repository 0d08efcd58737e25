/**
 * @module setup/service
 * The first admin. Until one exists, each start makes a fresh one-time setup token (only its
 * hash is kept) and prints a link; the link, `shulin admin create`, or the control API creates
 * the admin and retires the token.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { AccountService } from '../accounts/service.js'
import type { AccountRecord } from '../accounts/store.js'
import { ProblemError } from '../http/problem.js'
import { delOp, putOp, type Storage, type Sublevel } from '../storage/db.js'
import { safeEqual } from '../sessions/service.js'

const tokenKey = 'token'
const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url')

export class SetupService {
  readonly #setup: Sublevel<string>

  constructor(
    private readonly storage: Storage,
    private readonly accounts: AccountService,
  ) {
    this.#setup = storage.sublevel<string>('setup')
  }

  needsAdmin(): Promise<boolean> {
    return this.accounts.records.hasAdmin().then((has) => !has)
  }

  /** A new one-time token when the node has no admin yet, else `null`. */
  async issueToken(): Promise<string | null> {
    if (!(await this.needsAdmin())) return null
    const token = randomBytes(24).toString('base64url')
    await this.storage.commit([putOp(this.#setup, tokenKey, hashOf(token))], { sync: true })
    return token
  }

  /** Creates the first admin with the setup link's token. */
  async completeWithToken(
    token: string,
    admin: { username: string; password: string; name?: string | undefined },
  ): Promise<AccountRecord> {
    if (!(await this.needsAdmin())) throw new ProblemError('setup_done')
    const stored = await this.#setup.get(tokenKey)
    if (!stored || !safeEqual(stored, hashOf(token))) throw new ProblemError('invalid_setup_token')
    return this.createAdmin(admin)
  }

  /** Creates an admin (first or not) for someone who holds the data folder: CLI and control API. */
  async createAdmin(admin: { username: string; password: string; name?: string | undefined }): Promise<AccountRecord> {
    const account = await this.accounts.createStaff({ ...admin, role: 'admin', source: 'setup' })
    await this.storage.commit([delOp(this.#setup, tokenKey)], { sync: true })
    return account
  }
}
