/**
 * @module config
 * A node's start-up settings. Every flag has a `SHULIN_*` environment twin; flags win.
 * Defaults make `shulin start` with no flags a working node on `./data`.
 */
import { z } from 'zod'
import { NodeRole, PasswordPolicy } from '@shulin/protocol'
import { parseTrustedProxies } from '../http/proxy.js'

export const NodeConfig = z.strictObject({
  dataDir: z.string().min(1).default('./data'),
  port: z.coerce.number().int().min(0).max(65535).default(8090),
  /** TCP port for the peer network (libp2p). */
  p2pPort: z.coerce.number().int().min(0).max(65535).default(8091),
  host: z.string().min(1).default('0.0.0.0'),
  role: NodeRole.default('node'),
  name: z.string().trim().min(1).max(64).default('书林图书馆'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest JSON request body, in bytes. */
  maxBodyBytes: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Largest uploaded file (and import file), in bytes: 2 GiB by default. */
  maxUploadBytes: z.coerce.number().int().min(1024).max(64 * 1024 ** 3).default(2 * 1024 ** 3),
  passwordPolicy: PasswordPolicy.default('standard'),
  /** Trust `X-Forwarded-*` from one reverse proxy in front of the node (the hop nearest it). */
  trustProxy: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .default(false),
  /**
   * Which proxies to trust instead: a number of hops nearest the node, or their addresses and
   * CIDR ranges (`10.0.0.0/8,loopback`). The client address is the first hop that is not one.
   */
  trustedProxies: z
    .union([z.number().int().min(0).max(32), z.array(z.string().min(1).max(100)).max(64), z.string().trim().min(1).max(2000)])
    .transform((v, ctx) => {
      try {
        return typeof v === 'number' ? v : parseTrustedProxies(Array.isArray(v) ? v.join(',') : v)
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `a number of hops, or addresses and CIDR ranges separated by commas (${(err as Error).message})` })
        return z.NEVER
      }
    })
    .optional(),
  /** Who harvesters write to (OAI-PMH Identify). */
  adminEmail: z.email().default('admin@shulin.invalid'),
  /**
   * The URL readers use. Links, share URLs and sign-in redirects name it; without it they name
   * the listen address (or the request's, when that is one of the node's own addresses).
   */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** The search engine: in process (default), or a Meilisearch server for large nodes. */
  search: z.enum(['embedded', 'meilisearch']).default('embedded'),
  meiliUrl: z.url().optional(),
  /** A Meilisearch API key allowed to manage this node's index. */
  meiliKey: z.string().min(1).max(512).optional(),
  /** Seconds between checks of visiting readers with their home libraries (disabled at home → signed out here). */
  visitorCheckSeconds: z.coerce.number().int().min(1).max(3600).default(300),
  /** Hub: seconds between pulls of members' phone-directory hashes and reader counts. */
  directoryPullSeconds: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Mirroring subscribed channels: bytes per second over all providers (0 = no limit), 10 MiB/s by default. */
  mirrorRate: z.coerce.number().int().min(0).max(10 * 1024 ** 3).default(10 * 1024 ** 2),
  /** …and the hours of the day it runs, `FROM-TO` in local time (`22-6`: overnight); all day by default. */
  mirrorHours: z.string().regex(/^([01]?\d|2[0-4])-([01]?\d|2[0-4])$/, 'hours as FROM-TO, e.g. 22-6').default('0-24'),
  /** A JSON file of third-party sign-in providers (QQ, Weibo, WeChat…): see identity/third-party/providers.ts. */
  oidcProviders: z.string().min(1).optional(),
}).refine((c) => c.search !== 'meilisearch' || c.meiliUrl, { message: '--search meilisearch needs --meili-url (or SHULIN_MEILI_URL)', path: ['meiliUrl'] })
export type NodeConfig = z.infer<typeof NodeConfig>
export type NodeConfigInput = z.input<typeof NodeConfig>

/** Flag name → environment variable. */
export const configEnv: Record<keyof NodeConfig, string> = {
  dataDir: 'SHULIN_DATA',
  port: 'SHULIN_PORT',
  p2pPort: 'SHULIN_P2P_PORT',
  host: 'SHULIN_HOST',
  role: 'SHULIN_ROLE',
  name: 'SHULIN_NAME',
  logLevel: 'SHULIN_LOG_LEVEL',
  maxBodyBytes: 'SHULIN_MAX_BODY',
  maxUploadBytes: 'SHULIN_MAX_UPLOAD',
  passwordPolicy: 'SHULIN_PASSWORD_POLICY',
  trustProxy: 'SHULIN_TRUST_PROXY',
  trustedProxies: 'SHULIN_TRUSTED_PROXIES',
  publicUrl: 'SHULIN_PUBLIC_URL',
  adminEmail: 'SHULIN_ADMIN_EMAIL',
  search: 'SHULIN_SEARCH',
  meiliUrl: 'SHULIN_MEILI_URL',
  meiliKey: 'SHULIN_MEILI_KEY',
  visitorCheckSeconds: 'SHULIN_VISITOR_CHECK_SECONDS',
  directoryPullSeconds: 'SHULIN_DIRECTORY_PULL_SECONDS',
  oidcProviders: 'SHULIN_OIDC_PROVIDERS',
  mirrorRate: 'SHULIN_MIRROR_RATE',
  mirrorHours: 'SHULIN_MIRROR_HOURS',
}

/** Reads the `SHULIN_*` variables that are set. */
export function configFromEnv(env: Record<string, string | undefined>): Partial<Record<keyof NodeConfig, string>> {
  const out: Partial<Record<keyof NodeConfig, string>> = {}
  for (const [key, name] of Object.entries(configEnv) as Array<[keyof NodeConfig, string]>) {
    const v = env[name]
    if (v !== undefined && v !== '') out[key] = v
  }
  return out
}
