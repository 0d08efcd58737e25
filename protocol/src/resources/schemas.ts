/**
 * @module resources/schemas
 * Resource records: what a library holds and readers use. Metadata follows Dublin Core with
 * the extras Chinese libraries use (中图法 class number, series, extent).
 */
import { z } from 'zod'
import { freeText, singleLine } from '../text.js'
import { canonicalIdentifier } from './identifiers.js'
import { CourseInfo, LectureInfo } from '../courses/schemas.js'
import { AccessPolicy, ClcNumber, Sha256 } from './basics.js'
import { resourceTypeFromDc } from './dcmi.js'

export { AccessPolicy, ClcNumber, Sha256 } from './basics.js'

export const ResourceType = z.enum([
  'book',
  'audiobook',
  'journal',
  'journal-issue',
  'article',
  'image-set',
  'video',
  'course',
  'lecture',
])
export type ResourceType = z.infer<typeof ResourceType>

export const ResourceStatus = z.enum(['draft', 'published', 'withdrawn'])
export type ResourceStatus = z.infer<typeof ResourceStatus>

export const Identifier = z
  .string()
  .max(256)
  .transform((s, ctx) => {
    const id = canonicalIdentifier(s)
    if (!id) ctx.addIssue({ code: 'custom', message: 'invalid_identifier' })
    return id ?? ''
  })

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (ISO 8601 / EDTF level 0). */
export const PublicationDate = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'invalid_date')

export const Extent = z.strictObject({
  pages: z.number().int().min(1).max(1_000_000).optional(),
  durationSeconds: z.number().min(0).max(1_000_000).optional(),
  items: z.number().int().min(0).max(1_000_000).optional(),
})

export const Metadata = z.strictObject({
  title: singleLine(500),
  creators: z.array(singleLine(200)).max(100).default([]),
  subjects: z.array(singleLine(100)).max(100).default([]),
  description: freeText(20_000).optional(),
  publisher: singleLine(200).optional(),
  date: PublicationDate.optional(),
  /** BCP 47 tag; Chinese by default. */
  language: z
    .string()
    .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/)
    .default('zh'),
  identifiers: z.array(Identifier).max(50).default([]),
  series: singleLine(200).optional(),
  clc: ClcNumber.optional(),
  extent: Extent.optional(),
  rights: freeText(2000).optional(),
})
export type Metadata = z.infer<typeof Metadata>
export type MetadataInput = z.input<typeof Metadata>

export const Chapter = z.object({
  title: z.string().max(500),
  start: z.number().min(0),
  href: z.string().max(2000).optional(),
})
export type Chapter = z.infer<typeof Chapter>

/**
 * `video` is a lecture's uploaded original, `hls` a playlist or media file made from it (named as
 * the playlists name it), `poster` a frame from it, `subtitles` WebVTT, `attachment` slides (PDF).
 */
export const FileRole = z.enum([
  'content',
  'cover',
  'thumbnail',
  'page-image',
  'video',
  'hls',
  'poster',
  'subtitles',
  'attachment',
])
export const ResourceFile = z.object({
  blob: Sha256,
  role: FileRole,
  mediaType: z.string(),
  size: z.number().int().min(0),
  /** The uploader's file name, for display and downloads only (never a storage path). */
  name: z.string().max(255).optional(),
  /** In a channel record: the id of the file's chunk manifest, so any peer's chunks can be checked. */
  manifest: Sha256.optional(),
})
export type ResourceFile = z.infer<typeof ResourceFile>

export const Resource = z.object({
  id: z.string(),
  type: ResourceType,
  metadata: Metadata,
  access: AccessPolicy,
  status: ResourceStatus,
  /** The node that publishes it (its node id). */
  nodeId: z.string(),
  /** A journal issue's journal, an article's issue. */
  parentId: z.string().nullable(),
  files: z.array(ResourceFile),
  /** Table of contents: EPUB navigation or audio chapters. */
  toc: z.array(Chapter),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
  /** Increases with every change; sent as the ETag for optimistic concurrency. */
  revision: z.number().int(),
  /** Type `course` only (see courses/schemas). */
  course: CourseInfo.optional(),
  /** Type `lecture` only. */
  lecture: LectureInfo.optional(),
})
export type Resource = z.infer<typeof Resource>

export const CreateResourceRequest = z.strictObject({
  type: ResourceType,
  metadata: Metadata,
  access: AccessPolicy.default('public'),
  parentId: z.string().max(64).nullable().default(null),
})
export type CreateResourceRequest = z.infer<typeof CreateResourceRequest>

export const UpdateResourceRequest = z.strictObject({
  metadata: Metadata.optional(),
  access: AccessPolicy.optional(),
  parentId: z.string().max(64).nullable().optional(),
})
export type UpdateResourceRequest = z.infer<typeof UpdateResourceRequest>

/** One line of a JSON Lines import: the record's own fields, flat. */
export const ImportRecord = Metadata.extend({
  /** A node type, or a Dublin Core type (`text`, `Sound`, `图书`, …) read as one (see dcmi.ts). */
  type: z.preprocess((v) => (typeof v === 'string' ? (resourceTypeFromDc(v) ?? v) : v), ResourceType.default('book')),
  access: AccessPolicy.default('public'),
  status: z.enum(['draft', 'published']).default('published'),
})
export type ImportRecord = z.infer<typeof ImportRecord>

export const ResourceListQuery = z.strictObject({
  type: ResourceType.optional(),
  status: ResourceStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(256).optional(),
})
export const ResourceList = z.object({ resources: z.array(Resource), nextCursor: z.string().nullable() })

export const ImportFormat = z.enum(['jsonl', 'csv', 'marc', 'marcxml'])
export type ImportFormat = z.infer<typeof ImportFormat>

/** What an import did: counts, and the refused lines with reasons (the first 1,000 of them). */
export const ImportReport = z.object({
  format: ImportFormat,
  /** Lines or records read (blank lines not counted). */
  total: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  rejects: z.array(z.object({ n: z.number().int(), reason: z.string() })),
  ms: z.number(),
  /** With `--channel`: the channel the records went into. */
  channel: z.object({ id: z.string(), name: z.string(), added: z.number().int() }).optional(),
})
export type ImportReport = z.infer<typeof ImportReport>
