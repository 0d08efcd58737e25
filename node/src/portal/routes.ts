/**
 * @module portal/routes
 * The home page's layout: readers read `GET /api/portal/home` (visible sections in order,
 * banners that have an image); staff arrange it under `/api/staff/portal/home` (If-Match: the
 * ETag they read) and upload each banner's image.
 */
import { withCheckedUpload } from '../blobs/checked-upload.js'
import type { Context } from 'hono'
import { HomeLayout, NewBannerRequest, PortalHome, UpdateHomeLayoutRequest } from '@shulin/protocol'
import type { Api } from '../http/api.js'
import { ProblemError } from '../http/problem.js'
import { rawUpload } from '../http/raw-body.js'
import { serveBlob } from '../blobs/serve.js'
import type { BlobStore } from '../blobs/store.js'
import { acceptedTypes } from '../resources/files/media-types.js'
import { ifMatchRevision } from '../resources/routes.js'
import type { PortalService } from './service.js'

export const bannerImagePath = /^\/api\/staff\/portal\/banners\/[^/]+\/image$/
/** A banner is a wide photo or poster; a phone downloads it on every visit to the home page. */
export const maxBannerBytes = 5 * 1024 * 1024

export function portalRoutes(api: Api, deps: { portal: PortalService; blobs: BlobStore }): void {
  const { portal } = deps
  const tags = ['portal']
  const withEtag = (c: Context, l: HomeLayout) => {
    c.header('etag', `"r${l.revision}"`)
    return l
  }

  api.route(
    {
      method: 'get',
      path: '/api/portal/home',
      summary: 'The home page: its sections in the staff’s order (hidden ones left out) and the banner strip',
      tags,
      access: 'public',
      response: PortalHome,
    },
    async () => {
      const l = await portal.layout()
      return {
        sections: l.sections.filter((s) => !s.hidden).map((s) => s.kind),
        // The image URL changes with the image, so a browser may keep it for good.
        banners: l.banners.flatMap((b) =>
          b.image
            ? [
                {
                  id: b.id,
                  alt: b.alt,
                  href: b.href,
                  image: `/api/portal/banners/${b.id}/image?v=${b.image.blob.slice(0, 16)}`,
                },
              ]
            : [],
        ),
      }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/portal/banners/:id/image',
      summary: 'A banner’s image',
      tags,
      access: 'public',
    },
    async (c) => {
      const banner = (await portal.layout()).banners.find((b) => b.id === c.req.param('id'))
      const info = banner?.image && (await deps.blobs.info(banner.image.blob))
      if (!banner?.image || !info) throw new ProblemError('not_found')
      return serveBlob(c, deps.blobs, {
        sha256: info.sha256,
        mediaType: banner.image.mediaType,
        size: info.size,
        audience: 'public',
      })
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/portal/home',
      summary: 'The home page’s layout: every section and banner, hidden ones too',
      tags,
      access: 'staff',
      response: HomeLayout,
    },
    async (c) => withEtag(c, await portal.layout()),
  )
  api.route(
    {
      method: 'put',
      path: '/api/staff/portal/home',
      summary: 'Order and hide sections; order, edit or remove banners (If-Match: the ETag you read)',
      tags,
      access: 'staff',
      body: UpdateHomeLayoutRequest,
      response: HomeLayout,
    },
    async (c, { body }) => {
      const expected = ifMatchRevision(c)
      if (expected === undefined) throw new ProblemError('precondition_required')
      return withEtag(c, await portal.update(body, expected))
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/portal/banners',
      summary: 'Add a banner at the end of the strip (it shows once it has an image)',
      tags,
      access: 'staff',
      body: NewBannerRequest,
      response: HomeLayout,
      status: 201,
    },
    async (c, { body }) => withEtag(c, await portal.addBanner(body, ifMatchRevision(c))),
  )
  api.route(
    {
      method: 'put',
      path: '/api/staff/portal/banners/:id/image',
      summary: 'Set a banner’s image (raw JPEG, PNG or WebP body)',
      tags,
      access: 'staff',
      response: HomeLayout,
      rawBody: { contentType: 'image/jpeg', description: 'The image.' },
    },
    async (c) => {
      const id = c.req.param('id') ?? ''
      if (!(await portal.layout()).banners.some((b) => b.id === id)) throw new ProblemError('not_found')
      const upload = rawUpload(c, maxBannerBytes)
      const opts = { maxBytes: maxBannerBytes, accepted: acceptedTypes.cover }
      return withCheckedUpload(deps.blobs, upload, opts, async (staged, type) => {
        const info = await staged.commit(type)
        return withEtag(c, await portal.setBannerImage(id, { blob: info.sha256, mediaType: type }))
      })
    },
  )
}
