/**
 * @module resources/basics
 * The small resource schemas courses/schemas needs too (a blob's hash, an access policy, a
 * 中图法 number). They live apart from resources/schemas because that module embeds the
 * course and lecture fields: with both importing each other, whichever ESM evaluated first
 * met the other's schemas undefined (`shulin` failed at start with "reading 'optional'").
 */
import { z } from 'zod'

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/)

/** Who may open a resource's content. Metadata of published resources is public. */
export const AccessPolicy = z.enum(['public', 'node-readers', 'member-readers', 'staff'])
export type AccessPolicy = z.infer<typeof AccessPolicy>

/** 中图法 class numbers: `I247.5`, `TP311.13`, `K825.6=74`, `D61-53`. */
export const ClcNumber = z
  .string()
  .trim()
  .max(64)
  .regex(/^[A-Z][A-Z0-9.\-=:()"<>/+]*$/, 'invalid_clc')
