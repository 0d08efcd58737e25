/**
 * @module http/api
 * Declares JSON routes once: the same declaration registers the Hono handler (validating
 * body, query and access) and describes the route in the OpenAPI document.
 *
 * @example
 * ```ts
 * api.route({ method: 'post', path: '/api/auth/login', summary: 'Sign in', access: 'public',
 *   body: LoginRequest, response: LoginResponse }, async (c, { body }) => service.login(body))
 * ```
 */
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { Problem } from '@shulin/protocol'
import type { AppEnv } from './env.js'
import { parseBody, parseQuery } from './validate.js'

/**
 * Who may call a route. `session` = any signed-in account; `staff` = admin or librarian;
 * `moderator` = staff or a moderator (live rooms); `judge` = admin or a judge (activity scores).
 */
export type Access = 'public' | 'session' | 'staff' | 'moderator' | 'judge' | 'admin' | 'control'

export interface RouteDef<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  R extends z.ZodType | undefined = undefined,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  path: string
  summary: string
  tags: string[]
  access: Access
  body?: B
  query?: Q
  /** The success response: described in the OpenAPI document, and the type the handler must answer. */
  response?: R
  status?: 200 | 201 | 202 | 204
  /** A non-JSON request body (e.g. `text/csv`), documented only; the handler reads it. */
  rawBody?: { contentType: string; description: string }
}

type Input<T extends z.ZodType | undefined> = T extends z.ZodType ? z.output<T> : undefined

/**
 * What a handler may answer: the response schema's output type (sent as JSON as it is, so the
 * client reads exactly that type), or a ready `Response` (files, redirects, ETag headers).
 * Routes without a response schema answer nothing the client reads (204) or a `Response`.
 */
export type Output<R extends z.ZodType | undefined> = R extends z.ZodType ? z.output<R> | Response : unknown

export type Handler<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  R extends z.ZodType | undefined = undefined,
> = (c: Context<AppEnv>, input: { body: Input<B>; query: Input<Q> }) => Promise<Output<R>> | Output<R>

export type AccessCheck = (c: Context<AppEnv>, access: Access) => Promise<void>

export class Api {
  readonly #routes: Array<RouteDef<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>> = []

  constructor(
    private readonly app: Hono<AppEnv>,
    private readonly checkAccess: AccessCheck,
  ) {}

  /** Documents a route that is served outside the declared-route machinery (e.g. health). */
  describe(def: RouteDef<undefined, undefined, z.ZodType | undefined>): void {
    this.#routes.push(def)
  }

  route<
    B extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    R extends z.ZodType | undefined = undefined,
  >(def: RouteDef<B, Q, R>, handler: Handler<B, Q, R>): void {
    this.#routes.push(def)
    this.app.on(def.method.toUpperCase(), def.path, async (c) => {
      await this.checkAccess(c, def.access)
      const body = (def.body ? await parseBody(c, def.body) : undefined) as Input<B>
      const query = (def.query ? parseQuery(c, def.query) : undefined) as Input<Q>
      const result = await handler(c, { body, query })
      if (result instanceof Response) return result
      if (def.status === 204) return c.body(null, 204)
      return c.json(result as object, def.status ?? 200)
    })
  }

  /** The OpenAPI 3.1 document of every declared route. */
  openapi(info: { title: string; version: string }): object {
    const paths: Record<string, Record<string, object>> = {}
    const schema = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' })
    const problem = { 'application/problem+json': { schema: schema(Problem, 'output') } }
    for (const r of this.#routes) {
      const path = r.path.replace(/:(\w+)/g, '{$1}')
      const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      }))
      if (r.query) {
        const qs = schema(r.query, 'input') as { properties?: Record<string, object>; required?: string[] }
        for (const [name, s] of Object.entries(qs.properties ?? {})) {
          params.push({
            name,
            in: 'query',
            required: qs.required?.includes(name) ?? false,
            schema: s as { type: string },
          })
        }
      }
      const requestBody = r.body
        ? { required: true, content: { 'application/json': { schema: schema(r.body, 'input') } } }
        : r.rawBody
          ? {
              required: true,
              description: r.rawBody.description,
              content: { [r.rawBody.contentType]: { schema: { type: 'string' } } },
            }
          : undefined
      const ok = String(r.status ?? 200)
      ;(paths[path] ??= {})[r.method] = {
        summary: r.summary,
        tags: r.tags,
        'x-shulin-access': r.access,
        ...(params.length ? { parameters: params } : {}),
        ...(requestBody ? { requestBody } : {}),
        ...(r.access === 'public'
          ? {}
          : { security: r.access === 'control' ? [{ control: [] }] : [{ session: [] }, { bearer: [] }] }),
        responses: {
          [ok]: r.response
            ? { description: 'OK', content: { 'application/json': { schema: schema(r.response, 'output') } } }
            : { description: 'OK' },
          default: { description: 'Problem (RFC 9457)', content: problem },
        },
      }
    }
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'shulin_session',
            description: 'Browser session; writes also need the X-CSRF-Token header.',
          },
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'Token from POST /api/auth/login with "bearer": true.',
          },
          control: {
            type: 'apiKey',
            in: 'header',
            name: 'authorization',
            description: 'Shulin-Control token from DATA/run/control.json (local CLI only).',
          },
        },
      },
    }
  }
}
