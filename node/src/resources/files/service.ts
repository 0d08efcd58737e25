/**
 * @module resources/files/service
 * An upload, start to finish: stream to a staged blob, check what it really is, read what it
 * says about itself, store it (and its cover and thumbnail), and only then attach it to the
 * record. Any failure discards the staged file: nothing half-uploaded is ever published.
 */
import { Readable } from 'node:stream'
import type { Chapter, Metadata, Resource, ResourceFile } from '@shulin/protocol'
import { ProblemError } from '../../http/problem.js'
import { BlobTooLarge, type BlobStore, type StagedBlob } from '../../blobs/store.js'
import type { ResourceService } from '../service.js'
import { acceptedTypes, checkFileType, type FileRoleName } from './media-types.js'
import { audioInfo, mp4Duration, pdfPages, thumbnail } from './extract-media.js'

export interface UploadInput {
  resourceId: string
  role: FileRoleName
  claimedType: string
  name?: string | undefined
  body: Readable | AsyncIterable<Uint8Array>
  maxBytes: number
  /** The length the client announced: fewer bytes means the upload was cut off. */
  declaredLength?: number | undefined
  expectedRevision?: number | undefined
}

interface Extraction {
  metadata: Partial<Metadata>
  extent: NonNullable<Metadata['extent']>
  toc?: Chapter[]
  cover?: { bytes: Buffer; mediaType: string }
}

const rejected = (detail: string) => new ProblemError('file_rejected', { detail })

/** Fills only what the librarian left empty: their description wins over the file's. */
function fillEmpty(current: Metadata, found: Partial<Metadata>, extent: Metadata['extent']): Partial<Metadata> {
  const out: Partial<Metadata> = {}
  if (!current.creators.length && found.creators) out.creators = found.creators
  if (!current.subjects.length && found.subjects) out.subjects = found.subjects
  if (!current.identifiers.length && found.identifiers) out.identifiers = found.identifiers
  for (const key of ['description', 'publisher', 'date'] as const)
    if (current[key] === undefined && found[key] !== undefined) out[key] = found[key]
  if (extent && Object.keys(extent).length) out.extent = { ...current.extent, ...extent }
  return out
}

export class FileService {
  constructor(
    private readonly resources: ResourceService,
    private readonly blobs: BlobStore,
  ) {}

  async #extract(staged: StagedBlob, type: string): Promise<Extraction> {
    try {
      if (type === 'application/epub+zip') {
        const { extractEpub } = await import('./extract-epub.js')
        const e = await extractEpub(staged.path)
        return { metadata: e.metadata, extent: {}, toc: e.toc, ...(e.cover ? { cover: e.cover } : {}) }
      }
      if (type === 'application/pdf') {
        const pages = await pdfPages(staged.path, staged.size)
        return { metadata: {}, extent: pages ? { pages } : {} }
      }
      if (type.startsWith('audio/')) {
        const a = await audioInfo(staged.path)
        return {
          metadata: {},
          extent: a.durationSeconds !== undefined ? { durationSeconds: a.durationSeconds } : {},
          ...(a.chapters.length ? { toc: a.chapters } : {}),
        }
      }
      if (type === 'video/mp4') {
        const d = await mp4Duration(staged.path)
        return { metadata: {}, extent: d !== undefined ? { durationSeconds: d } : {} }
      }
      return { metadata: {}, extent: {} }
    } catch (err) {
      if (err instanceof Error && err.name === 'UnsafeZip') throw rejected(`EPUB: ${err.message}`)
      throw rejected(`${type}: the file is damaged or unreadable (${(err as Error).message.slice(0, 200)})`)
    }
  }

  async upload(input: UploadInput): Promise<Resource> {
    const record = await this.resources.get(input.resourceId)
    const fits =
      input.role === 'cover'
        ? acceptedTypes.cover
        : input.role === 'page-image'
          ? record.type === 'image-set'
            ? acceptedTypes['image-set']
            : []
          : acceptedTypes[record.type]
    let staged: StagedBlob
    try {
      staged = await this.blobs.stage(input.body, input.maxBytes)
    } catch (err) {
      if (err instanceof BlobTooLarge) throw new ProblemError('payload_too_large')
      throw err
    }
    try {
      if (input.declaredLength !== undefined && staged.size !== input.declaredLength) {
        throw rejected(`the upload ended early: ${staged.size} of ${input.declaredLength} bytes arrived`)
      }
      const checked = await checkFileType(staged.path, input.claimedType, fits)
      if ('refused' in checked) throw rejected(checked.refused)
      const found = input.role === 'content' ? await this.#extract(staged, checked.type) : { metadata: {}, extent: {} }
      const files: ResourceFile[] = []
      const name = input.name ? { name: input.name } : {}
      let coverSource: Buffer | string | undefined
      let coverInfo = found.cover
      // A cover makes the thumbnail; so does the first image of an image set that has none.
      const imageThumb =
        (input.role === 'page-image' || (input.role === 'content' && record.type === 'image-set')) &&
        !record.files.some((f) => f.role === 'thumbnail')
      if (input.role === 'cover' || imageThumb) coverSource = staged.path
      else if (coverInfo) coverSource = coverInfo.bytes
      const thumb = coverSource ? await thumbnail(coverSource).catch(() => undefined) : undefined
      const info = await staged.commit(checked.type)
      files.push({ blob: info.sha256, role: input.role, mediaType: checked.type, size: info.size, ...name })
      if (coverInfo) {
        const c = await this.#storeBytes(coverInfo.bytes, coverInfo.mediaType)
        files.push({ blob: c.sha256, role: 'cover', mediaType: coverInfo.mediaType, size: c.size })
      }
      if (thumb) {
        const t = await this.#storeBytes(thumb, 'image/webp')
        files.push({ blob: t.sha256, role: 'thumbnail', mediaType: 'image/webp', size: t.size })
      }
      coverInfo = undefined
      const current = await this.resources.get(input.resourceId)
      const images =
        input.role === 'page-image' ? { items: current.files.filter((f) => f.role === 'page-image').length + 1 } : {}
      return await this.resources.attachFiles(
        input.resourceId,
        files,
        {
          ...(found.toc ? { toc: found.toc } : {}),
          metadata: fillEmpty(current.metadata, found.metadata, { ...found.extent, ...images }),
        },
        input.expectedRevision,
      )
    } finally {
      await staged.discard()
    }
  }

  async #storeBytes(bytes: Buffer, mediaType: string) {
    const s = await this.blobs.stage(Readable.from([bytes]), bytes.length)
    return s.commit(mediaType)
  }

  /** The blobs every record references, for garbage collection. */
  async referencedBlobs(): Promise<Set<string>> {
    const out = new Set<string>()
    // Another library's withdrawn record holds nothing: its files go with the grace period.
    for await (const r of this.resources.records.all())
      if (r.status !== 'withdrawn' || r.nodeId === this.resources.nodeId) for (const f of r.files) out.add(f.blob)
    return out
  }
}
