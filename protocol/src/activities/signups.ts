/**
 * @module activities/signups
 * What the event sign-up routes answer beyond `SignupView` (schemas.ts): a reader's list of
 * sign-ups, the staff's list (masked names, CSV too) and the desk's check-in result.
 *
 * A check-in code is `<activity>.<sign-up>.<expiry>.<mac>` — the activity id (base64url), an
 * opaque sign-up id, the expiry (seconds since the epoch, base 36) and a MAC by the node: no
 * name, phone or card number, so a photo of someone's QR code tells nothing about them.
 */
import { z } from 'zod'
import { SignupStatus, SignupView } from './schemas.js'

/** `GET /api/me/signups`: a reader's sign-ups with what the list shows of each event. */
export const MySignup = SignupView.extend({
  title: z.string(),
  location: z.string().nullable(),
})
export type MySignup = z.infer<typeof MySignup>

export const MySignups = z.object({ signups: z.array(MySignup) })
export type MySignups = z.infer<typeof MySignups>

/** One row of the staff's list: the reader's name masked (张*明), as at the desk. */
export const StaffSignup = z.object({
  /** The opaque sign-up id (the one in the check-in code). */
  id: z.string(),
  name: z.string(),
  cardNo: z.string().nullable(),
  /** 138****8000 */
  phone: z.string().nullable(),
  status: SignupStatus,
  position: z.number().int().nullable(),
  createdAt: z.string(),
  checkedInAt: z.string().nullable(),
})
export type StaffSignup = z.infer<typeof StaffSignup>

/** `GET /api/staff/activities/:id/signups` (`?format=csv` for a spreadsheet). */
export const StaffSignupList = z.object({
  activity: z.string(),
  capacity: z.number().int().nullable(),
  confirmed: z.number().int(),
  waitlisted: z.number().int(),
  checkedIn: z.number().int(),
  signups: z.array(StaffSignup),
})
export type StaffSignupList = z.infer<typeof StaffSignupList>

export const StaffSignupQuery = z.strictObject({ format: z.enum(['json', 'csv']).default('json') })

/** `POST /api/staff/activities/:id/check-in`: who it is (masked) and the sign-up's new status. */
export const CheckInResult = z.object({
  activity: z.string(),
  signup: z.string(),
  name: z.string(),
  status: z.literal('checked-in'),
  checkedInAt: z.string(),
})
export type CheckInResult = z.infer<typeof CheckInResult>
