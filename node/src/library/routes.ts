/**
 * @module library/routes
 * `GET /api/library` (anyone: the portal's header), `GET|PUT /api/staff/library` (staff read,
 * admins change), `PUT /api/staff/library/logo` (admins upload a logo), the logo and its app
 * icons, and `/manifest.webmanifest`, which names and colours the library as it is now.
 */
import type { Context, Hono } from 'hono'
import { LibraryProfile, LibraryProfileSettings, LibraryProfileUpdate } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import type { AppEnv } from '../http/env.js'
import { ProblemError } from '../http/problem.js'
import { rawUpload } from '../http/raw-body.js'
import { serveBlob } from '../blobs/serve.js'
import type { BlobStore } from '../blobs/store.js'
import { iconSizes, maxLogoBytes, storeLogo } from './logo.js'
import { iconPath, type LibraryProfileService } from './profile.js'

/** The logo upload takes an image-sized body (server.ts gives it its own limit). */
export const logoUploadPath = /^\/api\/staff\/library\/logo$/
export { maxLogoBytes }

/** The portal's own colours, until the library sets its theme. */
const defaultInk = '#1f3a5f'

export function libraryRoutes(app: Hono<AppEnv>, api: Api, profile: LibraryProfileService, blobs: BlobStore): void {
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
  api.route(
    {
      method: 'put',
      path: '/api/staff/library/logo',
      summary:
        'Upload the library’s logo (raw PNG, JPEG or WebP body, at most 1 MiB); it becomes the logo and the app icons',
      tags: ['staff'],
      access: 'admin',
      response: LibraryProfileSettings,
      rawBody: { contentType: 'image/png', description: 'The logo.' },
    },
    async (c) => profile.setLogo(await storeLogo(blobs, rawUpload(c, maxLogoBytes))),
  )

  async function serveStored(c: Context<AppEnv>, sha256: string | undefined, mediaType: string) {
    const info = sha256 ? await blobs.info(sha256) : undefined
    if (!sha256 || !info) throw new ProblemError('not_found')
    return serveBlob(c, blobs, { sha256, mediaType, size: info.size, audience: 'public' })
  }
  api.route(
    {
      method: 'get',
      path: '/api/library/logo',
      summary: 'The library’s uploaded logo',
      tags: ['node'],
      access: 'public',
    },
    (c) => {
      const logo = profile.logo()
      return serveStored(c, logo?.sha256, logo?.mediaType ?? '')
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/library/icons/:file',
      summary: 'The installed app’s icon made from the logo (`192.png`, `512.png`)',
      tags: ['node'],
      access: 'public',
    },
    (c) => {
      const size = /^(\d+)\.png$/.exec(c.req.param('file') ?? '')?.[1]
      return serveStored(c, size ? profile.logo()?.icons[size] : undefined, 'image/png')
    },
  )
  // The installed app's name follows the library's: served here, ahead of the static file.
  app.get('/manifest.webmanifest', (c) => {
    const { name, theme } = profile.current()
    const logo = profile.logo()
    const icons = logo
      ? iconSizes.map((n) => ({
          src: iconPath(logo, String(n)),
          sizes: `${n}x${n}`,
          type: 'image/png',
          purpose: 'any',
        }))
      : [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }]
    c.header('content-type', 'application/manifest+json; charset=utf-8')
    c.header('cache-control', 'no-cache')
    return c.body(
      JSON.stringify({
        name,
        short_name: [...name].slice(0, 12).join(''),
        start_url: '/',
        display: 'standalone',
        background_color: '#fbf8f1',
        theme_color: theme?.ink ?? defaultInk,
        lang: 'zh-CN',
        icons,
      }),
    )
  })
}
