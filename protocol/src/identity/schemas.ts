/**
 * @module identity/schemas
 * Unified identity: the messages of the OpenID-Connect-shaped flow between a reader's home
 * node (the provider) and the node the reader visits (the relying party), and the views the
 * web UI reads. A node's client id and issuer are both its node id: the hub-signed registry
 * is the only client registration there is, and the node id is the Ed25519 key.
 */
import { z } from 'zod'
import { NodeId, RegionCode, MemberLevel } from '../federation/schemas.js'

/** RFC 7636: 43–128 characters of the unreserved set. */
export const PkceVerifier = z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/)
/** S256 of a verifier, base64url without padding. */
export const PkceChallenge = z.string().regex(/^[A-Za-z0-9_-]{43}$/)
const Opaque = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/)

/** What `/oidc/authorize` takes: OIDC's parameters, carried in a signed request object (RFC 9101). */
export const AuthorizeQuery = z.object({
  client_id: NodeId,
  /** The request object: a JWT signed by the client node's key. */
  request: z.string().min(20).max(8192),
})

/** The claims of the request object a visiting node signs. */
export const RequestObjectClaims = z.object({
  iss: NodeId,
  aud: NodeId,
  client_id: NodeId,
  response_type: z.literal('code'),
  redirect_uri: z.url({ protocol: /^https?$/ }).max(400),
  scope: z
    .string()
    .max(200)
    .refine((s) => s.split(' ').includes('openid'), 'scope must include openid'),
  state: Opaque,
  nonce: Opaque,
  code_challenge: PkceChallenge,
  code_challenge_method: z.literal('S256'),
  exp: z.number(),
  iat: z.number(),
  jti: Opaque,
})
export type RequestObjectClaims = z.infer<typeof RequestObjectClaims>

/** `POST /oidc/token` (form-encoded), with `private_key_jwt` client authentication (RFC 7523). */
export const TokenRequest = z.object({
  grant_type: z.literal('authorization_code'),
  code: Opaque,
  redirect_uri: z.url().max(400),
  code_verifier: PkceVerifier,
  client_id: NodeId,
  client_assertion_type: z.literal('urn:ietf:params:oauth:client-assertion-type:jwt-bearer'),
  client_assertion: z.string().min(20).max(4096),
})
export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  id_token: z.string(),
  scope: z.string(),
})
export type TokenResponse = z.infer<typeof TokenResponse>

/** RFC 7662 introspection: the visiting node asks whether a reader's grant still stands. */
export const IntrospectionRequest = z.object({
  token: Opaque,
  client_id: NodeId,
  client_assertion_type: z.literal('urn:ietf:params:oauth:client-assertion-type:jwt-bearer'),
  client_assertion: z.string().min(20).max(4096),
})
export const IntrospectionResponse = z.union([
  z.object({ active: z.literal(false) }),
  z.object({ active: z.literal(true), sub: z.string(), client_id: NodeId, iss: NodeId, exp: z.number().int() }),
])
export type IntrospectionResponse = z.infer<typeof IntrospectionResponse>

/** Tokens checked in one batch introspection (a visiting node's readers from one home). */
export const maxIntrospectionBatch = 200
/**
 * Batch introspection (`/oidc/introspect/batch`, Shulin's extension of RFC 7662): the same form
 * with `tokens`, space-separated, instead of `token` — one round trip and one client assertion
 * per home and round instead of one per visit. Answers `{ results }`, one RFC 7662 answer per
 * token, in order.
 */
export const IntrospectionBatchRequest = IntrospectionRequest.omit({ token: true }).extend({
  tokens: z
    .string()
    .max(maxIntrospectionBatch * 129)
    .transform((s) => s.split(' '))
    .pipe(z.array(Opaque).min(1).max(maxIntrospectionBatch)),
})
export const IntrospectionBatchResponse = z.object({ results: z.array(IntrospectionResponse) })
export type IntrospectionBatchResponse = z.infer<typeof IntrospectionBatchResponse>

/** The ID token's claims as the visiting node requires them. Standard names where they fit. */
export const IdTokenClaims = z.object({
  iss: NodeId,
  sub: z.string().min(1).max(64),
  aud: NodeId,
  exp: z.number(),
  iat: z.number(),
  nonce: Opaque,
  auth_time: z.number().optional(),
  name: z.string().max(64).optional(),
  preferred_username: z.string().max(64).optional(),
  /** Whether the home library checked the reader's real name (实名认证). */
  real_name_verified: z.boolean().optional(),
})
export type IdTokenClaims = z.infer<typeof IdTokenClaims>

/** A library a reader may pick as home on the sign-in page. */
export const HomeLibrary = z.object({
  nodeId: NodeId,
  name: z.string(),
  region: RegionCode,
  level: MemberLevel,
  /** Toneless pinyin of the name, full and initials, for search boxes without an IME. */
  pinyin: z.string(),
  initials: z.string(),
})
export const HomeLibraryList = z.object({ libraries: z.array(HomeLibrary) })
export type HomeLibraryList = z.infer<typeof HomeLibraryList>
export type HomeLibrary = z.infer<typeof HomeLibrary>

/** Where a reader is signed in with their home account: one grant per visiting node. */
export const SignedInElsewhere = z.object({
  grants: z.array(
    z.object({
      id: z.string(),
      nodeId: NodeId,
      name: z.string().nullable(),
      createdAt: z.string(),
      lastCheckedAt: z.string().nullable(),
    }),
  ),
})
export type SignedInElsewhere = z.infer<typeof SignedInElsewhere>

/** A keyed hash (HMAC-SHA-256, base64url) of a phone number, as the hub's directory holds it. */
export const PhoneHash = z.string().regex(/^[A-Za-z0-9_-]{43}$/)

/** Counts of a library's own readers, without anyone's data: the hub's unified user view. */
export const ReaderCounts = z.object({
  registered: z.number().int().min(0),
  realNameVerified: z.number().int().min(0),
  /** Readers with a live session (signed in within the last 14 days at most). */
  active: z.number().int().min(0),
})
export type ReaderCounts = z.infer<typeof ReaderCounts>

/** What a member answers the hub's directory pull with. */
export const DirectoryExport = z.object({
  hashes: z.array(PhoneHash).max(5_000_000),
  counts: ReaderCounts,
})
export type DirectoryExport = z.infer<typeof DirectoryExport>

/** The claims of the hub's signed pull request: where members reach the hub, and the directory key. */
export const DirectoryPullClaims = z.object({
  iss: NodeId,
  aud: NodeId,
  hub_url: z.url({ protocol: /^https?$/ }).max(300),
  directory_key: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
})

export const DirectoryLookupResponse = z.object({ nodes: z.array(NodeId).max(16) })

export const DirectoryConsent = z.strictObject({ listed: z.boolean() })
export type DirectoryConsent = z.infer<typeof DirectoryConsent>

/** The hub's view: per library and per region, counts only. */
export const NetworkReaders = z.object({
  libraries: z.array(
    ReaderCounts.extend({
      nodeId: NodeId,
      name: z.string(),
      region: RegionCode,
      level: MemberLevel,
      reportedAt: z.string(),
    }),
  ),
  regions: z.array(ReaderCounts.extend({ region: RegionCode, libraries: z.number().int() })),
  total: ReaderCounts.extend({ libraries: z.number().int() }),
})
export type NetworkReaders = z.infer<typeof NetworkReaders>
