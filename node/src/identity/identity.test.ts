/**
 * Unified identity between two libraries on real LevelDB folders, without the peer network:
 * the registry is a map the test controls, and the visiting node's calls to the home node's
 * token and introspection endpoints go straight to the home's provider. Every check of
 * RELIABILITY.md's "Federation tokens" list is tried against the visiting node.
 */
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT } from 'jose'
import type { MemberEntry, Resource } from '@shulin/protocol'
import { generateNodeKey, type NodeKey } from '@shulin/federation/identity'
import { openDataFolder, type OpenedDataFolder } from '../storage/data-folder.js'
import { buildServices, type NodeServices } from '../services.js'
import { tempDir } from '../testing/temp-node.js'
import { contentAccess } from '../resources/access.js'
import type { AccountRecord } from '../accounts/store.js'
import { createIdentity, type Identity } from './index.js'
import { OAuthError } from './provider.js'
import { publicKeyBytesOf, signingKeyOf } from './keys.js'
import { signNodeJwt } from './tokens.js'

interface Library {
  id: string
  origin: string
  folder: OpenedDataFolder
  services: NodeServices
  identity: Identity
}

const registry = new Map<string, MemberEntry>()
let hubId = ''
const clock = { now: Date.now() }
const libraries = new Map<string, Library>()
/** Token and introspection requests the visiting nodes sent, newest last. */
const sent: Array<{ url: string; form: Record<string, string> }> = []
/** Homes that answer batch introspection 404, as a version without it would. */
const older = new Set<string>()

const homeFetch: typeof fetch = async (input, init) => {
  const url = new URL(String(input))
  const lib = [...libraries.values()].find((l) => l.origin === url.origin)
  const form = Object.fromEntries(new URLSearchParams(String(init?.body)))
  sent.push({ url: url.toString(), form })
  if (!lib) throw new TypeError('fetch failed: connection refused')
  try {
    const p = lib.identity.provider
    if (url.pathname === '/oidc/introspect/batch' && older.has(lib.id))
      return new Response('not found', { status: 404 })
    const body =
      url.pathname === '/oidc/token'
        ? await p.token(form)
        : url.pathname === '/oidc/revoke'
          ? await p.revoke(form)
          : url.pathname === '/oidc/introspect/batch'
            ? await p.introspectBatch(form)
            : await p.introspect(form)
    return Response.json(body ?? {})
  } catch (err) {
    if (err instanceof OAuthError)
      return Response.json({ error: err.error, error_description: err.message }, { status: 400 })
    throw err
  }
}

function admit(id: string, name: string, origin: string, status: MemberEntry['status'] = 'active'): void {
  const seq = (registry.get(id)?.seq ?? 0) + 1
  registry.set(id, {
    nodeId: id,
    name,
    region: '330185',
    level: 'county',
    http: [origin],
    p2p: [],
    status,
    seq,
    issuedAt: new Date(clock.now).toISOString(),
  })
}

/** How far a library's clock is from `clock` (README "Clocks"); none unless a test sets it. */
const skews = new Map<string, number>()

async function library(name: string, origin: string, member = true): Promise<Library> {
  const folder = await openDataFolder(await tempDir('shulin-identity-'), { create: true })
  const now = () => clock.now + (skews.get(folder.key.nodeId) ?? 0)
  const services = buildServices(folder, {
    sender: { name: 'memory', send: async () => {} },
    passwordPolicy: 'standard',
    now,
  })
  const federation = {
    entry: (id: string) => registry.get(id),
    entries: () => [...registry.values()],
    hubNodeId: () => hubId,
  }
  const identity = createIdentity({
    key: folder.key,
    storage: folder.storage,
    accounts: services.accounts.store,
    sessions: services.sessions,
    federation,
    now,
    fetch: homeFetch,
  })
  const lib = { id: folder.key.nodeId, origin, folder, services, identity }
  if (member) admit(lib.id, name, origin)
  libraries.set(lib.id, lib)
  return lib
}

const client = { userAgent: 'test', address: '127.0.0.1' }

/** The whole round trip through the browser's redirects, done by hand. */
async function visit(
  home: Library,
  visitor: Library,
  reader: AccountRecord | null,
  opts: { tamper?: (u: URL) => void } = {},
) {
  const { location, binding } = await visitor.identity.relyingParty.start(
    home.id,
    `${visitor.origin}/oidc/callback`,
    '/resource/1',
  )
  const authorize = new URL(location)
  expect(authorize.origin + authorize.pathname).toBe(`${home.origin}/oidc/authorize`)
  const outcome = await home.identity.provider.authorize(
    authorize.searchParams.get('client_id')!,
    authorize.searchParams.get('request')!,
    reader,
  )
  if (outcome.kind !== 'redirect') return { outcome }
  const back = new URL(outcome.location)
  opts.tamper?.(back)
  const q = Object.fromEntries(back.searchParams) as { state: string; code?: string; iss?: string; error?: string }
  return { outcome, query: q, binding, done: () => visitor.identity.relyingParty.callback(q, binding, client) }
}

let a: Library
let b: Library
let c: Library
let hub: Library
let reader: AccountRecord
let attacker: NodeKey

beforeAll(async () => {
  a = await library('临安县图书馆', 'http://a.test')
  b = await library('东莞市图书馆', 'http://b.test')
  c = await library('昌平区图书馆', 'http://c.test')
  hub = await library('国家数字图书馆', 'http://hub.test', false)
  hubId = hub.id
  attacker = await generateNodeKey()
  // The hub's directory pull tells A the hub's web address (signed by the hub): its portal's only callback origin.
  await a.identity.directory.export(
    await signNodeJwt(
      hub.folder.key,
      'hub',
      { hub_url: hub.origin, directory_key: 'k'.repeat(43) },
      { audience: a.id, ttlSeconds: 60, now: clock.now },
    ),
  )
  reader = await a.services.accounts.register({
    mode: 'real-name',
    name: '王小明',
    idNumber: '11010519491231002X',
    password: 'reading-is-fun',
    phone: '13800138000',
  })
}, 30_000)

afterAll(async () => {
  for (const l of libraries.values()) {
    await l.folder.storage.close()
    await rm(l.folder.dir, { recursive: true, force: true })
  }
})

const resource = (access: Resource['access']) => ({ status: 'published', access }) as Resource

describe('a reader of library A signs in at library B', () => {
  it('not signed in at home: the home asks the reader to sign in first', async () => {
    const r = await visit(a, b, null)
    expect(r.outcome).toEqual({ kind: 'sign-in' })
  })

  it('signs in through the redirects and becomes a visiting reader, with member-readers access only', async () => {
    const r = await visit(a, b, reader)
    expect(r.query?.iss).toBe(a.id)
    const done = await r.done!()
    expect(done.next).toBe('/resource/1')
    expect(done.account).toMatchObject({
      kind: 'reader',
      name: '王小明',
      realNameVerified: false,
      passwordHash: null,
      source: 'visiting',
      home: { nodeId: a.id, sub: reader.id, name: '临安县图书馆' },
    })
    const auth = { account: done.account, session: done.session, sessionId: 'x', via: 'cookie' as const }
    expect(contentAccess(resource('member-readers'), auth)).toBeNull()
    expect(contentAccess(resource('node-readers'), auth)).toBe('forbidden')
    // The same reader again: the same local account.
    const again = await (await visit(a, b, reader)).done!()
    expect(again.account.id).toBe(done.account.id)
    // The hub's portal is a client too, with no registry entry of its own.
    const atHub = await (await visit(a, hub, reader)).done!()
    expect(atHub.account.home?.nodeId).toBe(a.id)
    // At home the reader sees where they are signed in.
    const grants = await a.identity.provider.grantsOf(reader.id)
    expect(grants.map((g) => g.client).sort()).toEqual([b.id, b.id, hub.id].sort())
  })

  it('the same reader id from two homes is two visitors', async () => {
    const fromA = await b.identity.visitors.upsert(
      { nodeId: a.id, name: 'A' },
      { iss: a.id, aud: b.id, sub: 'same', exp: 0, iat: 0, nonce: 'n'.repeat(16) },
    )
    const fromC = await b.identity.visitors.upsert(
      { nodeId: c.id, name: 'C' },
      { iss: c.id, aud: b.id, sub: 'same', exp: 0, iat: 0, nonce: 'n'.repeat(16) },
    )
    expect(fromA.id).not.toBe(fromC.id)
  })

  it('a visitor is not passed on: B cannot vouch for a reader of A', async () => {
    const visitorAtB = (await (await visit(a, b, reader)).done!()).account
    const r = await visit(b, c, visitorAtB)
    expect(r.query?.error).toBe('access_denied')
    await expect(r.done!()).rejects.toMatchObject({ code: 'sign_in_refused' })
  })
})

describe('the home refuses bad authorization and token requests', () => {
  it('a replayed code, a replayed state and a wrong PKCE verifier', async () => {
    const r = await visit(a, b, reader)
    await r.done!()
    const redeemed = sent.filter((s) => s.url.endsWith('/oidc/token')).at(-1)!.form
    const fresh = async () => ({
      ...redeemed,
      client_assertion: await signNodeJwt(
        b.folder.key,
        'client',
        { sub: b.id },
        { audience: a.id, ttlSeconds: 60, now: clock.now },
      ),
    })
    await expect(a.identity.provider.token(await fresh())).rejects.toMatchObject({ error: 'invalid_grant' })
    await expect(r.done!()).rejects.toMatchObject({
      code: 'sign_in_refused',
      extra: { detail: 'unknown or expired state' },
    })

    const wrong = await visit(a, b, reader)
    const form = { ...(await fresh()), code: wrong.query!.code!, code_verifier: 'v'.repeat(64) }
    await expect(a.identity.provider.token(form)).rejects.toMatchObject({
      error: 'invalid_grant',
      message: expect.stringMatching(/PKCE/),
    })
    // The code went at its first presentation, even though that one failed.
    await expect(wrong.done!()).rejects.toMatchObject({ code: 'sign_in_refused' })
  })

  it('an expired code', async () => {
    const r = await visit(a, b, reader)
    clock.now += 61_000
    try {
      await expect(r.done!()).rejects.toMatchObject({
        code: 'sign_in_refused',
        extra: { detail: expect.stringMatching(/expired code/) },
      })
    } finally {
      clock.now -= 61_000
    }
  })

  it('a client assertion used twice, or signed by someone else', async () => {
    const assertion = await signNodeJwt(
      b.folder.key,
      'client',
      { sub: b.id },
      { audience: a.id, ttlSeconds: 60, now: clock.now },
    )
    const form = {
      token: 'x'.repeat(43),
      client_id: b.id,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }
    await expect(a.identity.provider.introspect(form)).resolves.toEqual({ active: false })
    await expect(a.identity.provider.introspect(form)).rejects.toMatchObject({ error: 'invalid_client' })
    const forged = await signNodeJwt(
      attacker,
      'client',
      { sub: b.id },
      { audience: a.id, ttlSeconds: 60, now: clock.now },
    )
    await expect(a.identity.provider.introspect({ ...form, client_assertion: forged })).rejects.toMatchObject({
      error: 'invalid_client',
    })
  })

  it('a redirect_uri at an address the registry does not hold for the client', async () => {
    const { location } = await b.identity.relyingParty.start(a.id, 'http://evil.test/oidc/callback', '/')
    const u = new URL(location)
    await expect(a.identity.provider.authorize(b.id, u.searchParams.get('request')!, reader)).rejects.toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(/redirect_uri/),
    })
  })

  it('a redirect_uri the hub signed for an origin that is not the hub’s (a hub fooled by a forged Host header)', async () => {
    const { location } = await hub.identity.relyingParty.start(a.id, 'http://evil.test/oidc/callback', '/')
    const request = new URL(location).searchParams.get('request')!
    await expect(a.identity.provider.authorize(hub.id, request, reader)).rejects.toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(/redirect_uri/),
    })
    // C has had no pull from the hub yet: it knows no address of the hub's, so it sends no code there.
    const atC = await hub.identity.relyingParty.start(c.id, `${hub.origin}/oidc/callback`, '/')
    await expect(
      c.identity.provider.authorize(hub.id, new URL(atC.location).searchParams.get('request')!, reader),
    ).rejects.toMatchObject({ error: 'invalid_request', message: expect.stringMatching(/not known here yet/) })
  })

  it('a client outside the registry, a suspended client, and a request object signed by another key', async () => {
    const { location } = await b.identity.relyingParty.start(a.id, `${b.origin}/oidc/callback`, '/')
    const request = new URL(location).searchParams.get('request')!
    await expect(a.identity.provider.authorize(attacker.nodeId, request, reader)).rejects.toMatchObject({
      error: 'unauthorized_client',
    })
    const forged = await signNodeJwt(attacker, 'request', { client_id: b.id }, { audience: a.id, ttlSeconds: 60 })
    await expect(a.identity.provider.authorize(b.id, forged, reader)).rejects.toMatchObject({
      error: 'invalid_request',
    })
    admit(b.id, '东莞市图书馆', b.origin, 'suspended')
    try {
      await expect(a.identity.provider.authorize(b.id, request, reader)).rejects.toMatchObject({
        error: 'unauthorized_client',
      })
    } finally {
      admit(b.id, '东莞市图书馆', b.origin)
    }
  })
})

describe('the visiting node refuses bad ID tokens', () => {
  const nonce = 'n'.repeat(22)
  const claims = () => ({ sub: reader.id, nonce, name: '王小明' })
  const verify = (jwt: string, home = a.id) => b.identity.relyingParty.verifyIdToken(jwt, home, nonce)
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const now = () => Math.floor(clock.now / 1000)

  it('accepts a good one', async () => {
    const jwt = await signNodeJwt(a.folder.key, 'id', claims(), { audience: b.id, ttlSeconds: 300, now: clock.now })
    await expect(verify(jwt)).resolves.toMatchObject({ iss: a.id, aud: b.id, sub: reader.id })
  })

  it.each([
    ['ten minutes ahead', 10 * 60_000],
    ['ten minutes behind', -10 * 60_000],
  ])('accepts one from a home whose clock is %s (README "Clocks": 15 minutes tolerated)', async (_name, skew) => {
    const jwt = await signNodeJwt(a.folder.key, 'id', claims(), {
      audience: b.id,
      ttlSeconds: 300,
      now: clock.now + skew,
    })
    await expect(verify(jwt)).resolves.toMatchObject({ iss: a.id, sub: reader.id })
  })

  it.each([
    [
      'forged: signed by another key, claiming to be A',
      async () =>
        signNodeJwt({ ...attacker, nodeId: a.id }, 'id', claims(), { audience: b.id, ttlSeconds: 300, now: clock.now }),
      /signature/,
    ],
    [
      'expired',
      async () =>
        signNodeJwt(a.folder.key, 'id', claims(), { audience: b.id, ttlSeconds: 300, now: clock.now - 1_800_000 }),
      /exp|iat|age/,
    ],
    [
      'wrong audience',
      async () => signNodeJwt(a.folder.key, 'id', claims(), { audience: c.id, ttlSeconds: 300, now: clock.now }),
      /aud/,
    ],
    [
      'issued in the future past the tolerance (clocks 16 minutes apart)',
      async () =>
        signNodeJwt(a.folder.key, 'id', claims(), { audience: b.id, ttlSeconds: 300, now: clock.now + 16 * 60_000 }),
      /iat.*clock skew.*16 minutes apart/,
    ],
    [
      'issued two days ago by a slow clock',
      async () =>
        signNodeJwt(a.folder.key, 'id', claims(), { audience: b.id, ttlSeconds: 300, now: clock.now - 2 * 86_400_000 }),
      /clock skew.*2 days apart/,
    ],
    [
      'a client assertion passed off as an ID token (typ)',
      async () => signNodeJwt(a.folder.key, 'client', claims(), { audience: b.id, ttlSeconds: 60, now: clock.now }),
      /typ/,
    ],
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims(), iss: a.id, aud: b.id, iat: now(), exp: now() + 300 })}.`,
      /algorithm none/,
    ],
    [
      'HS256 signed with A’s public key as the secret',
      async () =>
        new SignJWT({ ...claims() })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuer(a.id)
          .setAudience(b.id)
          .setIssuedAt(now())
          .setExpirationTime(now() + 300)
          .sign(publicKeyBytesOf(a.id)!),
      /algorithm HS256/,
    ],
    [
      'the attacker’s own key injected as a jwk header',
      async () =>
        new SignJWT({ ...claims() })
          .setProtectedHeader({
            alg: 'EdDSA',
            typ: 'JWT',
            jwk: {
              kty: 'OKP',
              crv: 'Ed25519',
              x: Buffer.from(publicKeyBytesOf(attacker.nodeId)!).toString('base64url'),
            },
          })
          .setIssuer(a.id)
          .setAudience(b.id)
          .setIssuedAt(now())
          .setExpirationTime(now() + 300)
          .sign(signingKeyOf(attacker)),
      /jwk header/,
    ],
    [
      'a jku header pointing elsewhere',
      async () =>
        new SignJWT({ ...claims() })
          .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', jku: 'http://evil.test/jwks' })
          .setIssuer(a.id)
          .setAudience(b.id)
          .setIssuedAt(now())
          .setExpirationTime(now() + 300)
          .sign(signingKeyOf(a.folder.key)),
      /jku header/,
    ],
    [
      'an unknown kid',
      async () =>
        new SignJWT({ ...claims() })
          .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: attacker.nodeId })
          .setIssuer(a.id)
          .setAudience(b.id)
          .setIssuedAt(now())
          .setExpirationTime(now() + 300)
          .sign(signingKeyOf(a.folder.key)),
      /kid/,
    ],
    [
      'nbf in the future',
      async () =>
        signNodeJwt(
          a.folder.key,
          'id',
          { ...claims(), nbf: now() + 1200 },
          { audience: b.id, ttlSeconds: 1800, now: clock.now },
        ),
      /nbf/,
    ],
    [
      'the wrong nonce',
      async () =>
        signNodeJwt(
          a.folder.key,
          'id',
          { ...claims(), nonce: 'x'.repeat(22) },
          { audience: b.id, ttlSeconds: 300, now: clock.now },
        ),
      /nonce/,
    ],
  ])('%s', async (_name, make, why) => {
    await expect(verify(await make())).rejects.toThrow(why)
  })

  it('a token from a node that is not an active member: unknown, suspended, revoked', async () => {
    const jwtFrom = (key: NodeKey) =>
      signNodeJwt(key, 'id', claims(), { audience: b.id, ttlSeconds: 300, now: clock.now })
    await expect(verify(await jwtFrom(attacker), attacker.nodeId)).rejects.toThrow(/not an active member/)
    const jwt = await jwtFrom(c.folder.key)
    await expect(verify(jwt, c.id)).resolves.toBeTruthy()
    admit(c.id, '昌平区图书馆', c.origin, 'revoked')
    await expect(verify(jwt, c.id)).rejects.toThrow(/not an active member/)
    admit(c.id, '昌平区图书馆', c.origin)
  })
})

describe('revocation reaches visiting sessions', () => {
  it('a suspended home: its visitors are refused at once, and its earlier tokens stay refused after reinstatement', async () => {
    const done = await (await visit(a, b, reader)).done!()
    expect(b.identity.relyingParty.admits(done.account)).toBe(true)
    const earlier = await signNodeJwt(
      a.folder.key,
      'id',
      { sub: reader.id, nonce: 'n'.repeat(22) },
      { audience: b.id, ttlSeconds: 300, now: clock.now - 1000 },
    )
    admit(a.id, '临安县图书馆', a.origin, 'suspended')
    expect(b.identity.relyingParty.admits(done.account)).toBe(false)
    admit(a.id, '临安县图书馆', a.origin)
    await expect(b.identity.relyingParty.verifyIdToken(earlier, a.id, 'n'.repeat(22))).rejects.toThrow(
      /before the home library was suspended/,
    )
  })

  it('a reader disabled at home loses visiting sessions at the next check; so does one the reader ended at home', async () => {
    const second = await a.services.accounts.register({
      mode: 'quick',
      phone: '13900139000',
      password: 'reading-is-fun',
    })
    const s1 = await (await visit(a, c, second)).done!()
    const sessions = c.services.sessions
    expect(await sessions.exists((await sessions.idsOf(s1.account.id))[0]!)).toBeTruthy()
    expect(await c.identity.relyingParty.checkVisits()).toMatchObject({ ended: 0 })
    const [grant] = await a.identity.provider.grantsOf(second.id)
    expect(grant?.lastCheckedAt).toBe(clock.now)
    await a.services.accounts.setStatus(second.id, 'disabled')
    const round = await c.identity.relyingParty.checkVisits()
    expect(round.ended).toBeGreaterThanOrEqual(1)
    expect(await sessions.idsOf(s1.account.id)).toEqual([])

    await a.services.accounts.setStatus(second.id, 'active')
    const s2 = await (await visit(a, c, second)).done!()
    const grants = await a.identity.provider.grantsOf(second.id)
    expect(grants).toHaveLength(1)
    await a.identity.provider.endGrants(second.id, grants[0]!.id)
    await c.identity.relyingParty.checkVisits()
    expect(await sessions.idsOf(s2.account.id)).toEqual([])
  })

  it('signing out at the visiting node ends the grant at home too', async () => {
    const third = await a.services.accounts.register({
      mode: 'quick',
      phone: '13700137000',
      password: 'reading-is-fun',
    })
    const s = await (await visit(a, c, third)).done!()
    expect(await a.identity.provider.grantsOf(third.id)).toHaveLength(1)
    const [sid] = await c.services.sessions.idsOf(s.account.id)
    await c.services.sessions.end(sid!, s.account.id)
    await c.identity.relyingParty.checkVisits()
    expect(await a.identity.provider.grantsOf(third.id)).toEqual([])
  })

  it('"sign out everywhere else" at home (and a password change or reset) reaches the other libraries', async () => {
    const fourth = await a.services.accounts.register({
      mode: 'quick',
      phone: '13600136000',
      password: 'reading-is-fun',
    })
    const s = await (await visit(a, c, fourth)).done!()
    const mine = await a.services.sessions.create(fourth.id, {
      kind: 'cookie',
      remember: false,
      userAgent: 't',
      address: '127.0.0.1',
    })
    await a.services.sessions.endAll(fourth.id, mine.id)
    expect(await a.identity.provider.grantsOf(fourth.id)).toEqual([])
    expect(await a.services.sessions.exists(mine.id)).toBeTruthy()
    await c.identity.relyingParty.checkVisits()
    expect(await c.services.sessions.idsOf(s.account.id)).toEqual([])
  })

  it('a home whose clock drifts two days away after the sign-in refuses the visit check: the visit ends', async () => {
    const fifth = await a.services.accounts.register({
      mode: 'quick',
      phone: '13500135000',
      password: 'reading-is-fun',
    })
    const done = await (await visit(a, c, fifth)).done!()
    skews.set(a.id, 2 * 86_400_000)
    try {
      expect((await c.identity.relyingParty.checkVisits()).ended).toBeGreaterThanOrEqual(1)
      expect(await c.services.sessions.idsOf(done.account.id)).toEqual([])
    } finally {
      skews.delete(a.id)
    }
  })

  it('checks the visits from one home in one request a round, and a home without batches token by token', async () => {
    const readers = []
    for (let i = 0; i < 6; i++)
      readers.push(
        await a.services.accounts.register({ mode: 'quick', phone: `1330013300${i}`, password: 'reading-is-fun' }),
      )
    const visits = []
    for (const r of readers) visits.push(await (await visit(a, c, r)).done!())
    const introspections = () => sent.filter((s) => s.url.startsWith(`${a.origin}/oidc/introspect`)).length
    sent.length = 0
    const round = await c.identity.relyingParty.checkVisits()
    expect(round.checked).toBeGreaterThanOrEqual(6)
    expect(round.ended).toBe(0)
    // One round trip (and one client assertion) for all of A's visitors at C, not one per visit.
    expect(introspections()).toBe(1)
    // A malformed batch is the client's mistake (400 invalid_request), not the home's.
    await expect(
      a.identity.provider.introspectBatch({ ...sent[0]!.form, tokens: 'not a token!' }),
    ).rejects.toMatchObject({ error: 'invalid_request' })

    await a.services.accounts.setStatus(readers[0]!.id, 'disabled')
    await a.services.accounts.setStatus(readers[1]!.id, 'disabled')
    sent.length = 0
    expect((await c.identity.relyingParty.checkVisits()).ended).toBe(2)
    expect(introspections()).toBe(1)
    expect(await c.services.sessions.idsOf(visits[0]!.account.id)).toEqual([])
    expect(await c.services.sessions.idsOf(visits[2]!.account.id)).not.toEqual([])

    // A home that has no batch introspection yet: asked per token, and still obeyed.
    older.add(a.id)
    try {
      await a.services.accounts.setStatus(readers[2]!.id, 'disabled')
      sent.length = 0
      const r = await c.identity.relyingParty.checkVisits()
      expect(r.ended).toBe(1)
      expect(introspections()).toBeGreaterThanOrEqual(1 + 4)
      expect(await c.services.sessions.idsOf(visits[2]!.account.id)).toEqual([])
      expect(await c.services.sessions.idsOf(visits[3]!.account.id)).not.toEqual([])
    } finally {
      older.delete(a.id)
    }
  })

  it('an unreachable home ends nothing', async () => {
    const done = await (await visit(a, c, reader)).done!()
    const moved = registry.get(a.id)!
    registry.set(a.id, { ...moved, http: ['http://gone.test'] })
    try {
      await c.identity.relyingParty.checkVisits()
      expect(await c.services.sessions.idsOf(done.account.id)).not.toEqual([])
    } finally {
      registry.set(a.id, moved)
    }
  })
})
