/**
 * @module library/routes
 * `GET /api/library` (anyone: the portal's header), `GET|PUT /api/staff/library` (staff read,
 * admins change) and `/manifest.webmanifest`, which names the library as it is now.
 */
import type { Hono } from 'hono'
import { LibraryProfile, LibraryProfileSettings, LibraryProfileUpdate } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import type { LibraryProfileService } from './profile.js'

export function libraryRoutes(app: Hono<AppEnv>, api: Api, profile: LibraryProfileService): void {
  api.route(
    {
      method: 'get',
      path: '/api/library',
      summary: 'The library’s name, logo, contact and public URL',
      tags: ['node'],
      access: 'public',
      response: LibraryProfile,
    },
    () => profile.current(),
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/library',
      summary: 'The library’s profile: in effect, as saved in the console, and as the start flags give it',
      tags: ['staff'],
      access: 'staff',
      response: LibraryProfileSettings,
    },
    () => profile.settings(),
  )
  api.route(
    {
      method: 'put',
      path: '/api/staff/library',
      summary: 'Change the library’s name, logo, contact or public URL (null: back to the start flag)',
      tags: ['staff'],
      access: 'admin',
      body: LibraryProfileUpdate,
      response: LibraryProfileSettings,
    },
    (_c, { body }) => profile.update(body),
  )
  // The installed app's name follows the library's: served here, ahead of the static file.
  app.get('/manifest.webmanifest', (c) => {
    const { name } = profile.current()
    c.header('content-type', 'application/manifest+json; charset=utf-8')
    c.header('cache-control', 'no-cache')
    return c.body(
      JSON.stringify({
        name,
        short_name: [...name].slice(0, 12).join(''),
        start_url: '/',
        display: 'standalone',
        background_color: '#fbf8f1',
        theme_color: '#1f3a5f',
        lang: 'zh-CN',
        icons: [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      }),
    )
  })
}
