/**
 * @module sip2/schemas
 * The console's SIP2 setting (`/api/staff/sip2`): which ILS readers sign in against.
 */
import { z } from 'zod'

/** What the console is shown: where the URL in use comes from, and it with its password masked. */
export const Sip2SettingsView = z.strictObject({
  source: z.enum(['console', 'environment', 'none']),
  url: z.string().nullable(),
})
export type Sip2SettingsView = z.infer<typeof Sip2SettingsView>
