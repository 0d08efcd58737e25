/**
 * @module resources/files/routes
 * Uploading a record's files (staff) and opening them (readers, by the record's access
 * policy). Uploads are the raw file as the body: `PUT …/files/content` with its real
 * `Content-Type`; the bytes are checked against that claim before anything is kept.
 */
import type { Context } from 'hono'
import { Resource, type Resource as ResourceT, type ResourceFile } from '@shulin/protocol'
import type { Api } from '../../http/api.js'
import type { AppEnv } from '../../http/env.js'
import { ProblemError } from '../../http/problem.js'
import { isAbortedBody, rawUpload } from '../../http/raw-body.js'
import { serveBlob } from '../../blobs/serve.js'
import type { BlobStore } from '../../blobs/store.js'
import type { ResourceService } from '../service.js'
import { contentAccess } from '../access.js'
import { ifMatchRevision } from '../routes.js'
import type { FileService } from './service.js'

/** Upload routes take file-sized bodies (server.ts gives them the upload limit). */
export const uploadPath = /^\/api\/staff\/resources\/[^/]+\/files\/[^/]+$/

export interface FileRouteDeps {
  resources: ResourceService
  files: FileService
  blobs: BlobStore
  maxUploadBytes: number
  /** Told when a signed-in reader starts reading a content file (their history). */
  opened?: (accountId: string, resourceId: string) => Promise<void>
  /** A file of another library's record (a subscribed channel's) is fetched before it is served. */
  ensureLocal?: (record: ResourceT, file: ResourceFile) => Promise<'ready' | 'fetching'>
}

/** Reader-facing file roles. */
const servedRoles = new Set(['content', 'cover', 'thumbnail'])
const extensions: Record<string, string> = {
  'application/epub+zip': 'epub',
  'application/pdf': 'pdf',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'video/mp4': 'mp4',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
}

/** The reason a reader may not open a record's content, as a problem (401 tells reading apps to sign in). */
export function accessProblem(reason: 'unauthenticated' | 'forbidden' | 'not_found'): ProblemError {
  if (reason === 'unauthenticated')
    return new ProblemError('unauthenticated', {
      headers: { 'www-authenticate': 'Basic realm="shulin", charset="UTF-8"' },
    })
  return new ProblemError(reason)
}

export function fileRoutes(api: Api, deps: FileRouteDeps): void {
  const tags = ['files']
  const id = (c: Context) => c.req.param('id') ?? ''

  api.route(
    {
      method: 'put',
      path: '/api/staff/resources/:id/files/:role',
      summary: 'Upload the content file or the cover (raw body; Content-Type must be what the bytes are)',
      tags,
      access: 'staff',
      response: Resource,
      rawBody: {
        contentType: 'application/octet-stream',
        description:
          'The file. EPUB/PDF for books, MP3/M4A/AAC for audiobooks, MP4 for video, JPEG/PNG/WebP for covers and image sets.',
      },
    },
    (c) => {
      const role = c.req.param('role')
      // Adding an image to a set is a POST: a PUT that appended would not be idempotent.
      if (role !== 'content' && role !== 'cover') throw new ProblemError('not_found')
      return upload(c, role)
    },
  )
  api.route(
    {
      method: 'post',
      path: '/api/staff/resources/:id/files/page-image',
      summary: 'Add an image to an image set (图集), after the ones it has (raw JPEG, PNG or WebP body)',
      tags,
      access: 'staff',
      response: Resource,
      rawBody: { contentType: 'image/jpeg', description: 'The image.' },
    },
    (c) => upload(c, 'page-image'),
  )
  api.route(
    {
      method: 'get',
      path: '/api/resources/:id/images/:n',
      summary: 'Image n (from 1) of an image set',
      tags,
      access: 'public',
    },
    async (c) => {
      const n = Number(c.req.param('n'))
      if (!Number.isSafeInteger(n) || n < 1) throw new ProblemError('not_found')
      return serve(c, 'page-image', n - 1)
    },
  )

  async function upload(c: Context<AppEnv>, role: 'content' | 'cover' | 'page-image') {
    const expected = ifMatchRevision(c)
    await deps.resources.get(id(c))
    const raw = rawUpload(c, deps.maxUploadBytes)
    try {
      const record = await deps.files.upload({
        resourceId: id(c),
        role,
        claimedType: raw.claimedType,
        name: raw.name,
        body: raw.stream,
        maxBytes: deps.maxUploadBytes,
        declaredLength: raw.declaredLength,
        expectedRevision: expected,
      })
      c.header('etag', `"r${record.revision}"`)
      return record
    } catch (err) {
      if (isAbortedBody(err))
        throw new ProblemError('file_rejected', { detail: 'the upload ended before the whole file arrived' })
      throw err
    }
  }

  async function serve(c: Context<AppEnv>, role: string, index = 0) {
    const record = await deps.resources.records.get(id(c))
    if (!record) throw new ProblemError('not_found')
    const file = record.files.filter((f) => f.role === role)[index]
    // Covers and thumbnails are catalogue: shown to anyone who may see the record.
    const denied =
      role === 'content' || role === 'page-image'
        ? contentAccess(record, c.get('auth'))
        : contentAccess({ ...record, access: 'public' }, c.get('auth'))
    if (denied) throw accessProblem(denied)
    if (!file) throw new ProblemError('not_found')
    if (deps.ensureLocal) {
      let state: 'ready' | 'fetching'
      try {
        state = await deps.ensureLocal(record, file)
      } catch (err) {
        throw new ProblemError('peer_unreachable', { detail: (err as Error).message })
      }
      if (state === 'fetching') throw new ProblemError('content_fetching', { headers: { 'retry-after': '5' } })
    }
    const auth = c.get('auth')
    // The first bytes of the content mean "opened" (range readers fetch many pieces).
    if (role === 'content' && auth && deps.opened && /^(bytes=0-\d*)?$/.test(c.req.header('range') ?? '')) {
      await deps.opened(auth.account.id, record.id)
    }
    return serveBlob(c, deps.blobs, {
      sha256: file.blob,
      mediaType: file.mediaType,
      size: file.size,
      name: role === 'content' ? downloadName(record, file) : undefined,
      audience:
        record.status === 'published' && ((role !== 'content' && role !== 'page-image') || record.access === 'public')
          ? 'public'
          : 'private',
    })
  }
  api.route(
    {
      method: 'get',
      path: '/api/resources/:id/content',
      summary: 'Open a record’s content (Range, If-None-Match, If-Range; access by policy)',
      tags,
      access: 'public',
    },
    (c) => serve(c, 'content'),
  )
  api.route(
    {
      method: 'get',
      path: '/api/resources/:id/files/:role',
      summary: 'A record’s content, cover or thumbnail',
      tags,
      access: 'public',
    },
    (c) => {
      const role = c.req.param('role') ?? ''
      if (!servedRoles.has(role)) throw new ProblemError('not_found')
      return serve(c, role)
    },
  )
}

function downloadName(record: ResourceT, file: ResourceFile): string {
  if (file.name) return file.name
  const ext = extensions[file.mediaType]
  return ext ? `${record.metadata.title}.${ext}` : record.metadata.title
}
