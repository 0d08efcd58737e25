/**
 * @module sip2/routes
 * The console's SIP2 setting, `/api/staff/sip2` (admins only: the URL carries the ILS login),
 * and its test button `/api/staff/sip2/test`. HTTP only.
 */
import { z } from 'zod'
import { Ok, Sip2SettingsView } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { Sip2SignIn } from './sign-in.js'
import { Sip2Url } from './url.js'

/** `null` forgets the console's URL (the environment's, if any, is used again). */
const Sip2SettingsInput = z.strictObject({ url: Sip2Url.nullable() })

export function sip2Routes(api: Api, sip2: Sip2SignIn): void {
  api.route(
    {
      method: 'get',
      path: '/api/staff/sip2',
      summary: 'The ILS reader sign-in goes to (SIP2), its password masked',
      tags: ['staff'],
      access: 'admin',
      response: Sip2SettingsView,
    },
    async () => sip2.view(),
  )

  api.route(
    {
      method: 'put',
      path: '/api/staff/sip2',
      summary: 'Set the ILS for reader sign-in: sip2://USER:PASSWORD@HOST:PORT?institution=ID[&location=LOC][&tls=1]',
      tags: ['staff'],
      access: 'admin',
      body: Sip2SettingsInput,
      response: Sip2SettingsView,
    },
    async (_c, { body }) => sip2.save(body.url),
  )

  api.route(
    {
      method: 'post',
      path: '/api/staff/sip2/test',
      summary: 'Connect to the ILS and log in with the SIP2 settings in use',
      tags: ['staff'],
      access: 'admin',
      response: Ok,
    },
    async () => {
      await sip2.test()
      return { ok: true as const }
    },
  )
}
