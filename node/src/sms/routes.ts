/**
 * @module sms/routes
 * `/api/auth/phone-code` (a verification code for quick registration) and the console's SMS
 * settings `/api/staff/sms` (admins only: they hold a provider's keys), and the public
 * `/api/auth/registration` telling the portal whether quick registration asks for that code.
 * HTTP only.
 */
import { z } from 'zod'
import { Ok, Phone } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import { localeOf } from '../http/problem.js'
import type { SmsService } from './service.js'
import { SmsSettingsInput } from './settings.js'

export const SmsSettingsViewSchema = SmsSettingsInput.omit({ secret: true }).extend({
  secretSet: z.boolean(),
  secretHint: z.string(),
})
const PhoneCodeRequest = z.strictObject({ phone: Phone })
/** What the registration page needs to know before a reader types anything. */
export const RegistrationOptions = z.strictObject({ phoneCode: z.boolean() })
const SmsTestResponse = z.strictObject({ result: z.enum(['sent', 'queued', 'limited']) })

export function smsRoutes(api: Api, sms: SmsService): void {
  api.route(
    {
      method: 'get',
      path: '/api/auth/registration',
      summary: 'Whether quick registration asks for a code texted to the phone',
      tags: ['auth'],
      access: 'public',
      response: RegistrationOptions,
    },
    // Public on purpose: the page must show the code field before anyone signs in; it is a
    // switch the staff set, nothing about any reader.
    async () => ({ phoneCode: await sms.verificationRequired() }),
  )

  api.route(
    {
      method: 'post',
      path: '/api/auth/phone-code',
      summary: 'Send a verification code to a phone (quick registration)',
      tags: ['auth'],
      access: 'public',
      body: PhoneCodeRequest,
      response: Ok,
      status: 202,
    },
    async (c, { body }) => {
      // Waits at most the outbox's short wait; a slow provider keeps trying after the answer.
      await sms.requestPhoneCode(body.phone, c.get('clientAddress'), localeOf(c))
      return { ok: true as const }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/staff/sms',
      summary: "The SMS provider's settings (the secret only as a hint)",
      tags: ['staff'],
      access: 'admin',
      response: SmsSettingsViewSchema,
    },
    async () => sms.settings.view(),
  )

  api.route(
    {
      method: 'put',
      path: '/api/staff/sms',
      summary: 'Set the SMS provider, its keys, templates, registration check and limits',
      tags: ['staff'],
      access: 'admin',
      body: SmsSettingsInput,
      response: SmsSettingsViewSchema,
    },
    async (_c, { body }) => sms.settings.save(body),
  )

  api.route(
    {
      method: 'post',
      path: '/api/staff/sms/test',
      summary: 'Send a test notice to a phone through the configured provider',
      tags: ['staff'],
      access: 'admin',
      body: PhoneCodeRequest,
      response: SmsTestResponse,
    },
    async (_c, { body }) => ({ result: await sms.sendNotice(body.phone, '书林短信测试 / Shulin SMS test') }),
  )
}
