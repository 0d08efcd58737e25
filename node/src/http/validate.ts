/**
 * @module http/validate
 * zod at the HTTP boundary: read a JSON body or a query, check it, and turn every issue into
 * a field error (JSON Pointer + message in the reader's language).
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { toPointer, type FieldError, type Locale } from '@shulin/protocol'
import { localeOf, ProblemError } from './problem.js'

const zodLocales: Record<Locale, z.core.$ZodErrorMap> = {
  'zh-CN': z.locales.zhCN().localeError,
  en: z.locales.en().localeError,
}

export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const out: FieldError[] = []
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ pointer: toPointer([...issue.path, key]), detail: issue.message })
    } else {
      out.push({ pointer: toPointer(issue.path), detail: issue.message })
    }
  }
  return out
}

/** Validates `input` against `schema`, throwing a `validation_failed` problem with field errors. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, locale: Locale): z.output<S> {
  const result = schema.safeParse(input, { error: zodLocales[locale] })
  if (!result.success) throw new ProblemError('validation_failed', { errors: issuesToFieldErrors(result.error.issues) })
  return result.data
}

/** Reads the request body as JSON; only `application/json` is accepted (which also defeats simple cross-site form posts). */
export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) throw new ProblemError('unsupported_media_type')
  const text = await c.req.text()
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new ProblemError('malformed_json')
  }
}

export async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return parseOrThrow(schema, await readJson(c), localeOf(c))
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseOrThrow(schema, c.req.query(), localeOf(c))
}
