/**
 * @module accounts/schemas
 * Wire shapes of the account and session API (`/api/auth/*`, `/api/me`, staff reader management).
 */
import { z } from 'zod'
import { isWellFormedText, singleLine } from '../text.js'
import { passwordMaxLength } from './password-policy.js'
import { normalizeCardNo, normalizePhone, normalizeUsername } from './identifiers.js'
import { normalizeResidentId } from './resident-id.js'

/**
 * A password as typed: never trimmed, and normalised to NFC only when hashed, so what is typed
 * is what is hashed. Text with lone surrogates is refused: it would collapse to U+FFFD.
 */
export const Password = z.string().min(1).max(passwordMaxLength).refine(isWellFormedText, { message: 'lone_surrogate' })

/** A string that a normaliser turns into its canonical form, or a field error keyed `message`. */
const normalized = (max: number, normalize: (s: string) => string | null, message: string) =>
  z
    .string()
    .max(max)
    .transform((s, ctx) => {
      const value = normalize(s)
      if (!value) ctx.addIssue({ code: 'custom', message })
      return value ?? ''
    })

export const Phone = normalized(32, normalizePhone, 'invalid_phone')
export const ResidentId = normalized(32, (s) => normalizeResidentId(s), 'invalid_id_number')
export const Username = normalized(64, normalizeUsername, 'invalid_username')
export const CardNo = normalized(64, normalizeCardNo, 'invalid_card')
/** A person's name: Chinese names with `·` (少数民族) and Latin names with spaces both fit. */
export const PersonName = singleLine(64)

export const QuickRegistration = z.strictObject({
  mode: z.literal('quick'),
  phone: Phone,
  password: Password,
  username: Username.optional(),
  /** The code texted to the phone (`POST /api/auth/phone-code`), when the node asks for one. */
  phoneCode: z
    .string()
    .regex(/^\d{6}$/, 'invalid_code')
    .optional(),
})
export const RealNameRegistration = z.strictObject({
  mode: z.literal('real-name'),
  name: PersonName,
  idNumber: ResidentId,
  password: Password,
  phone: Phone.optional(),
  username: Username.optional(),
})
export const RegisterRequest = z.discriminatedUnion('mode', [QuickRegistration, RealNameRegistration])
export type RegisterRequest = z.infer<typeof RegisterRequest>

export const LoginRequest = z.strictObject({
  /** Card number, phone, username or resident ID number. */
  identifier: z.string().trim().min(1).max(64),
  password: Password,
  /** Keep me signed in for two weeks; otherwise a browser-session cookie. */
  remember: z.boolean().default(false),
  /** Return a bearer token for scripts instead of setting a cookie. */
  bearer: z.boolean().default(false),
})
export type LoginRequest = z.infer<typeof LoginRequest>

export const AccountKind = z.enum(['reader', 'staff'])
/**
 * Staff roles, least privilege: `admin` runs the node; `librarian` manages readers and
 * resources; `moderator` only moderates live-lecture rooms; `judge` only scores activity entries.
 */
export const StaffRole = z.enum(['admin', 'librarian', 'moderator', 'judge'])
export type StaffRole = z.infer<typeof StaffRole>
export const AccountStatus = z.enum(['active', 'disabled'])

export const AccountView = z.object({
  id: z.string(),
  kind: AccountKind,
  roles: z.array(StaffRole),
  cardNo: z.string().nullable(),
  username: z.string().nullable(),
  phone: z.string().nullable(),
  name: z.string().nullable(),
  realNameVerified: z.boolean(),
  idNumberMasked: z.string().nullable(),
  status: AccountStatus,
  hasPassword: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: z.string(),
  /** Set for a visiting reader: the home library, and the federated id `reader@node`. */
  home: z.object({ nodeId: z.string(), name: z.string(), federatedId: z.string() }).optional(),
})
export type AccountView = z.infer<typeof AccountView>

export const SessionView = z.object({
  expiresAt: z.string(),
  remember: z.boolean(),
  /** Send back as `X-CSRF-Token` on every cookie-authenticated write. */
  csrfToken: z.string(),
})
export const MeResponse = z.object({ account: AccountView, session: SessionView })
export type MeResponse = z.infer<typeof MeResponse>
export const LoginResponse = MeResponse.extend({ token: z.string().optional() })
/**
 * `GET /api/session`: whoever is signed in, or `{ signedIn: false }` with a 200. The portal asks
 * this at start instead of `/api/me`, whose 401 for a visitor a browser logs as a console error.
 */
export const SessionState = z.discriminatedUnion('signedIn', [
  MeResponse.extend({ signedIn: z.literal(true) }),
  z.object({ signedIn: z.literal(false) }),
])
export type SessionState = z.infer<typeof SessionState>
export type LoginResponse = z.infer<typeof LoginResponse>

export const ForgotPasswordRequest = z.strictObject({ identifier: z.string().trim().min(1).max(64) })
export const ResetPasswordRequest = z.strictObject({
  identifier: z.string().trim().min(1).max(64),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/),
  password: Password,
})
export const ChangePasswordRequest = z.strictObject({
  currentPassword: Password,
  password: Password,
  /** End every other session (other devices) too; on by default. */
  endOtherSessions: z.boolean().default(true),
})
export const SetupRequest = z.strictObject({
  token: z.string().min(16).max(128),
  username: Username,
  password: Password,
  name: PersonName.optional(),
})
export const CreateStaffRequest = z.strictObject({
  username: Username,
  password: Password,
  name: PersonName.optional(),
  role: StaffRole,
})
export const ReaderListQuery = z.strictObject({
  q: z.string().trim().max(64).optional(),
  status: AccountStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(128).optional(),
})
export const ReaderList = z.object({ readers: z.array(AccountView), nextCursor: z.string().nullable() })
export type ReaderList = z.infer<typeof ReaderList>
export const StaffResetResponse = z.object({
  /** Shown once to the librarian, who hands it to the reader; the reader must change it at next sign-in. */
  temporaryPassword: z.string(),
})
export const ReaderImportRow = z.object({ line: z.number().int(), cardNo: z.string().optional(), reason: z.string() })
export const ReaderImportReport = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.array(ReaderImportRow),
})
export type ReaderImportReport = z.infer<typeof ReaderImportReport>
export const Ok = z.object({ ok: z.literal(true) })

/** Staff mark a reader real-name verified after seeing their ID card at the desk (or take it back). */
export const RealNameRequest = z.strictObject({ verified: z.boolean() })
export type RealNameRequest = z.infer<typeof RealNameRequest>

/** Who marked a reader verified (or took it back), and when: the desk's audit trail. */
export const RealNameAuditEntry = z.object({
  verified: z.boolean(),
  by: z.object({ id: z.string(), name: z.string() }),
  at: z.string(),
})
export type RealNameAuditEntry = z.infer<typeof RealNameAuditEntry>
export const RealNameAudit = z.object({ entries: z.array(RealNameAuditEntry) })
export type RealNameAudit = z.infer<typeof RealNameAudit>
