/**
 * @module federation/schemas
 * The federation's records and messages. Everything a peer may relay is a signed envelope: the
 * payload, its type, who signed it (a node id, which is its Ed25519 public key) and the
 * signature over a canonical encoding (RFC 8785 JSON), so any receiver can check it no matter
 * who passed it on.
 */
import canonicalize from 'canonicalize'
import { z } from 'zod'
import { singleLine } from '../text.js'

/** A libp2p peer id of an Ed25519 key (`12D3KooW…`). */
export const NodeId = z.string().regex(/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44,48}$/, 'invalid_node_id')
/** A six-digit administrative division code (GB/T 2260): 110000 Beijing, 441900 Dongguan. */
export const RegionCode = z.string().regex(/^[1-9]\d{5}$/, 'invalid_region')
export const MemberLevel = z.enum(['province', 'city', 'county'])
export const MemberStatus = z.enum(['active', 'suspended', 'revoked'])
const Multiaddr = z
  .string()
  .max(300)
  .regex(/^\/(ip4|ip6|dns4|dns6|dns)\//, 'invalid_multiaddr')
export const HttpUrl = z.url({ protocol: /^https?$/ }).max(300)

export const EnvelopeType = z.enum([
  'shulin/invite',
  'shulin/member',
  'shulin/rollup',
  'shulin/channel',
  'shulin/channel-record',
  'shulin/menu-entry',
  'shulin/content-ticket',
  'shulin/activity',
  'shulin/activity-entry',
  'shulin/activity-tally',
  // News of the hub for every member (issue 21, news/network).
  'shulin/news',
])
export type EnvelopeType = z.infer<typeof EnvelopeType>

export const SignedEnvelope = z.strictObject({
  type: EnvelopeType,
  signer: NodeId,
  payload: z.unknown(),
  /** Ed25519 signature, base64url. */
  sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'invalid_signature'),
})
export type SignedEnvelope = z.infer<typeof SignedEnvelope>

/** The bytes a signature covers: a domain label, the type, the signer and the canonical payload. */
export function signingBytes(type: EnvelopeType, signer: string, payload: unknown): Uint8Array {
  return new TextEncoder().encode(`shulin-envelope-v1\n${type}\n${signer}\n${canonicalize(payload) ?? ''}`)
}

/** An invitation to join: single use, expiring, naming the member it will create. */
export const Invite = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{22,43}$/),
  hub: NodeId,
  /** Where the hub listens for peers. */
  hubAddrs: z.array(Multiaddr).min(1).max(8),
  name: singleLine(64),
  region: RegionCode,
  level: MemberLevel,
  expiresAt: z.iso.datetime(),
})
export type Invite = z.infer<typeof Invite>

/** A member of the network as the hub vouches for it. A later `seq` replaces an earlier one. */
export const MemberEntry = z.strictObject({
  nodeId: NodeId,
  name: singleLine(64),
  region: RegionCode,
  level: MemberLevel,
  http: z.array(HttpUrl).max(4),
  p2p: z.array(Multiaddr).max(8),
  status: MemberStatus,
  seq: z.number().int().min(1),
  issuedAt: z.iso.datetime(),
})
export type MemberEntry = z.infer<typeof MemberEntry>

export const JoinRequest = z.strictObject({
  invite: SignedEnvelope,
  http: z.array(HttpUrl).max(4),
  p2p: z.array(Multiaddr).max(8),
})
export type JoinRequest = z.infer<typeof JoinRequest>

export const JoinRefusal = z.enum(['invalid', 'expired', 'used', 'wrong_hub', 'revoked'])
export type JoinRefusal = z.infer<typeof JoinRefusal>

export const JoinResponse = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), entry: SignedEnvelope, registry: z.array(SignedEnvelope).max(10_000) }),
  z.strictObject({ ok: z.literal(false), reason: JoinRefusal }),
])
export type JoinResponse = z.infer<typeof JoinResponse>

/** An invite as people pass it around: one line of text. */
export const invitePrefix = 'shulin-invite:'

export const FederationStatus = z.object({
  role: z.enum(['node', 'hub']),
  nodeId: z.string(),
  /** The hub this node is a member of (a hub names itself). */
  hub: z.string().nullable(),
  member: z.boolean(),
  listen: z.array(z.string()),
  peers: z.array(z.object({ nodeId: z.string(), name: z.string().nullable() })),
  lastSync: z.string().nullable(),
  /** The sharded catalogs this node keeps in step, and when each was last pulled. */
  catalogs: z.array(
    z.object({ name: z.string(), shards: z.number().int(), filled: z.number().int(), lastPull: z.string().nullable() }),
  ),
})
export type FederationStatus = z.infer<typeof FederationStatus>

/** A verified entry, with what the hub saw at the member's last registry request (null elsewhere). */
export const MemberView = MemberEntry.extend({
  verified: z.literal(true),
  lastContact: z.string().nullable(),
  version: z.string().nullable(),
  /** Registry entries the member lacked at its last request, and the age of the oldest (seconds). */
  behind: z.number().int().nullable(),
  lagSeconds: z.number().int().nullable(),
})
export type MemberView = z.infer<typeof MemberView>
export const MemberList = z.object({ members: z.array(MemberView) })
export type MemberList = z.infer<typeof MemberList>
export const CreateInviteRequest = z.strictObject({
  name: singleLine(64),
  region: RegionCode,
  level: MemberLevel,
  validHours: z
    .number()
    .min(0.0003)
    .max(24 * 30)
    .default(72),
})
export const InviteResponse = z.object({ invite: z.string(), expiresAt: z.string() })
export type InviteResponse = z.infer<typeof InviteResponse>
export const JoinCommand = z.strictObject({ invite: z.string().min(10).max(8192) })
export const JoinResult = z.object({
  hub: z.string(),
  entry: MemberEntry,
  members: z.number().int(),
  /** Set when this node's clock is further from the hub's than peers tolerate (ms, positive = ahead): README "Clocks". */
  clockSkewMs: z.number().int().optional(),
})
export type JoinResult = z.infer<typeof JoinResult>
