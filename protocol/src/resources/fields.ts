/**
 * @module resources/fields
 * Field schemas a resource shares with the course and lecture fields it carries: kept apart from
 * resources/schemas, which imports courses/schemas, so that courses/schemas can use them without
 * an import cycle (in a cycle, whichever module loads second finds the other's schemas undefined).
 */
import { z } from 'zod'

/** Who may open a resource's content. Metadata of published resources is public. */
export const AccessPolicy = z.enum(['public', 'node-readers', 'member-readers', 'staff'])
export type AccessPolicy = z.infer<typeof AccessPolicy>

/** 中图法 class numbers: `I247.5`, `TP311.13`, `K825.6=74`, `D61-53`. */
export const ClcNumber = z
  .string()
  .trim()
  .max(64)
  .regex(/^[A-Z][A-Z0-9.\-=:()"<>/+]*$/, 'invalid_clc')

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/)
