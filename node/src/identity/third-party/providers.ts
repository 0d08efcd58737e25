/**
 * @module identity/third-party/providers
 * Third-party sign-in providers a node offers (QQ, Weibo, WeChat, a province's own OpenID
 * provider…): one generic shape, read from a JSON file the node's admin writes
 * (`--oidc-providers FILE`), so that secrets stay out of the command line and the environment.
 *
 * @example
 * ```json
 * [{ "id": "qq", "name": "QQ", "issuer": "https://graph.qq.com/oauth2.0", "clientId": "101…", "clientSecret": "…" }]
 * ```
 * Providers that publish OpenID Connect discovery need `issuer` alone. OAuth 2 providers
 * without it (WeChat, Weibo) give their endpoints and which user-info field is the stable id.
 */
import { readFile } from 'node:fs/promises'
import { z } from 'zod'

const Url = z.url({ protocol: /^https?$/ }).max(500)

export const ProviderConfig = z.strictObject({
  /** Short id in URLs and links: `qq`, `weibo`, `wechat`. */
  id: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/),
  /** What the sign-in button says: 使用 {name} 登录. */
  name: z.string().min(1).max(32),
  issuer: Url,
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(500),
  scope: z.string().max(200).default('openid profile'),
  /** Endpoints for OAuth 2 providers without discovery (no ID token: the user-info answer names the reader). */
  endpoints: z.strictObject({ authorization: Url, token: Url, userinfo: Url }).optional(),
  /** The user-info field that identifies the person for good (`sub`; WeChat: `unionid` or `openid`; Weibo: `uid`). */
  subjectClaim: z.string().min(1).max(32).default('sub'),
  /** Plain-HTTP issuers, for tests and a closed network only. */
  allowHttp: z.boolean().default(false),
})
export type ProviderConfig = z.infer<typeof ProviderConfig>
export const ProviderConfigs = z
  .array(ProviderConfig)
  .max(20)
  .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, 'provider ids must differ')

export class ProviderConfigError extends Error {
  override readonly name = 'ProviderConfigError'
}

/** Reads and checks the providers file; a bad file stops the start with a message that says what is wrong. */
export async function loadProviders(path: string | undefined): Promise<ProviderConfig[]> {
  if (!path) return []
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new ProviderConfigError(`cannot read the sign-in providers file ${path}: ${(err as Error).message}`)
  }
  const parsed = ProviderConfigs.safeParse(json)
  if (!parsed.success)
    throw new ProviderConfigError(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}`,
    )
  return parsed.data
}
