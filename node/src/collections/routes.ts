/**
 * @module collections/routes
 * Columns (栏目) and topics (专题): staff arrange them (`/api/staff/collections`), readers
 * browse the ones inside their publish window (`/api/collections`) and see only the
 * published resources in them.
 */
import { withCheckedUpload } from '../blobs/checked-upload.js'
import type { Context } from 'hono'
import { z } from 'zod'
import {
  Collection,
  CollectionKind,
  CollectionList,
  CreateCollectionRequest,
  Ok,
  Resource,
  UpdateCollectionRequest,
} from '@shulin/protocol'
import type { Api } from '../http/api.js'
import { ProblemError } from '../http/problem.js'
import { rawUpload } from '../http/raw-body.js'
import { serveBlob } from '../blobs/serve.js'
import type { BlobStore } from '../blobs/store.js'
import { acceptedTypes } from '../resources/files/media-types.js'
import type { ResourceService } from '../resources/service.js'
import { canSeeRecord } from '../resources/access.js'
import { ifMatchRevision } from '../resources/routes.js'
import type { CollectionService } from './service.js'

export const collectionCoverPath = /^\/api\/staff\/collections\/[^/]+\/cover$/
export const maxCoverBytes = 20 * 1024 * 1024

const KindQuery = z.strictObject({ kind: CollectionKind.optional() })
const CollectionWithResources = Collection.extend({ resources: z.array(Resource) })

export function collectionRoutes(
  api: Api,
  deps: { collections: CollectionService; blobs: BlobStore; resources: ResourceService },
): void {
  const { collections } = deps
  const tags = ['collections']
  const id = (c: Context) => c.req.param('id') ?? ''
  const withEtag = (c: Context, col: Collection) => {
    c.header('etag', `"r${col.revision}"`)
    return col
  }

  api.route(
    {
      method: 'post',
      path: '/api/staff/collections',
      summary: 'Create a column or topic',
      tags,
      access: 'staff',
      body: CreateCollectionRequest,
      response: Collection,
      status: 201,
    },
    async (c, { body }) => withEtag(c, await collections.create(body)),
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/collections',
      summary: 'All columns and topics, in their order, visible or not',
      tags,
      access: 'staff',
      query: KindQuery,
      response: CollectionList,
    },
    async (_c, { query }) => ({
      collections: await collections.list(query.kind),
    }),
  )
  api.route(
    {
      method: 'get',
      path: '/api/staff/collections/:id',
      summary: 'One column or topic',
      tags,
      access: 'staff',
      response: Collection,
    },
    async (c) => withEtag(c, await collections.get(id(c))),
  )
  api.route(
    {
      method: 'patch',
      path: '/api/staff/collections/:id',
      summary: 'Edit title, order of items, window… (If-Match: the ETag you read)',
      tags,
      access: 'staff',
      body: UpdateCollectionRequest,
      response: Collection,
    },
    async (c, { body }) => {
      const expected = ifMatchRevision(c)
      if (expected === undefined) throw new ProblemError('precondition_required')
      return withEtag(c, await collections.update(id(c), body, expected))
    },
  )
  api.route(
    {
      method: 'delete',
      path: '/api/staff/collections/:id',
      summary: 'Delete a column or topic (its resources stay)',
      tags,
      access: 'staff',
      response: Ok,
    },
    async (c) => {
      await collections.delete(id(c), ifMatchRevision(c))
      return { ok: true as const }
    },
  )
  api.route(
    {
      method: 'put',
      path: '/api/staff/collections/:id/cover',
      summary: 'Set the cover image (raw JPEG, PNG or WebP body)',
      tags,
      access: 'staff',
      response: Collection,
      rawBody: { contentType: 'image/jpeg', description: 'The image.' },
    },
    async (c) => {
      await collections.get(id(c))
      const upload = rawUpload(c, maxCoverBytes)
      const opts = { maxBytes: maxCoverBytes, accepted: acceptedTypes.cover }
      return withCheckedUpload(deps.blobs, upload, opts, async (staged, type) => {
        const info = await staged.commit(type)
        return withEtag(
          c,
          await collections.update(id(c), { cover: { blob: info.sha256, mediaType: type } }, ifMatchRevision(c)),
        )
      })
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/collections',
      summary: 'Columns and topics readers can see now, in order',
      tags,
      access: 'public',
      query: KindQuery,
      response: CollectionList,
    },
    async (_c, { query }) => ({
      collections: await collections.listVisible(query.kind),
    }),
  )
  api.route(
    {
      method: 'get',
      path: '/api/collections/:id',
      summary: 'A column or topic with its published resources, in order',
      tags,
      access: 'public',
      response: CollectionWithResources,
    },
    async (c) => {
      const col = await collections.getVisible(id(c))
      const records = await deps.resources.records.getMany(col.items)
      return {
        ...col,
        resources: records.filter(
          (r): r is Resource => !!r && r.status === 'published' && canSeeRecord(r, c.get('auth')),
        ),
      }
    },
  )
  api.route(
    {
      method: 'get',
      path: '/api/collections/:id/cover',
      summary: 'The cover image of a column or topic',
      tags,
      access: 'public',
    },
    async (c) => {
      const col = await collections.getVisible(id(c))
      if (!col.cover) throw new ProblemError('not_found')
      const info = await deps.blobs.info(col.cover.blob)
      if (!info) throw new ProblemError('not_found')
      return serveBlob(c, deps.blobs, {
        sha256: info.sha256,
        mediaType: col.cover.mediaType,
        size: info.size,
        audience: 'public',
      })
    },
  )
}
