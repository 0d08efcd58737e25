/**
 * The upgrade notice across a real network of two in-process nodes (real LevelDB, real libp2p
 * on loopback): a member joined to a hub that runs a newer Shulin learns the hub's version over
 * `/shulin/version/1.0.0` and its staff console says so; a member level with the hub is told
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signedInAdmin, startTempNode, type Client, type TempNode } from '../testing/temp-node.js'

let hub: TempNode
let hubAdmin: Client
const nodes: TempNode[] = []
beforeAll(async () => {
  hub = await startTempNode({ role: 'hub', name: '国家数字图书馆' }, { version: '0.3.0' })
  hubAdmin = await signedInAdmin(hub)
}, 60_000)
afterAll(async () => {
  for (const n of nodes) await n.close()
  await hub.close()
})

async function member(name: string, version: string): Promise<Client> {
  const t = await startTempNode({ name }, { version })
  nodes.push(t)
  const invite = await hubAdmin.post('/api/staff/federation/invites', {
    name,
    region: '330185',
    level: 'county',
    validHours: 1,
  })
  expect(invite.status, JSON.stringify(invite.body)).toBe(201)
  const admin = await signedInAdmin(t)
  expect((await admin.post('/api/staff/federation/join', { invite: invite.body.invite })).status).toBe(200)
  return admin
}

describe('version check', () => {
  it('tells a member’s staff that the hub runs a newer version', async () => {
    const admin = await member('临安县图书馆', '0.2.1')
    await expect
      .poll(async () => (await admin.get('/api/staff/node')).body.newerVersion, { timeout: 20_000, interval: 500 })
      .toBe('0.3.0')
    expect((await admin.get('/api/staff/node')).body.hubVersion).toBe('0.3.0')
  }, 60_000)

  it('tells a member level with the hub nothing', async () => {
    const admin = await member('余杭区图书馆', '0.3.0')
    await expect
      .poll(async () => (await admin.get('/api/staff/node')).body.hubVersion, { timeout: 20_000, interval: 500 })
      .toBe('0.3.0')
    expect((await admin.get('/api/staff/node')).body.newerVersion).toBeNull()
  }, 60_000)

  it('shows the hub its own version, with nothing newer', async () => {
    expect((await hubAdmin.get('/api/staff/node')).body).toMatchObject({ hubVersion: '0.3.0', newerVersion: null })
  })
})
