import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, tempDir, type TempNode } from '../testing/temp-node.js'

describe('real-name verification at the desk', () => {
  let t: TempNode
  let staff: Client
  let reader: Client
  let readerId: string
  beforeAll(async () => {
    t = await startTempNode({ dataDir: await tempDir() })
    staff = await signedInAdmin(t)
    reader = new Client(t.node.url)
    readerId = (
      await reader.post('/api/auth/register', { mode: 'quick', phone: '13700137000', password: 'reading2026' })
    ).body.account.id
    await reader.post('/api/auth/login', { identifier: '13700137000', password: 'reading2026' })
  })
  afterAll(() => t.close())

  it('marks a reader verified, with who and when in the audit trail', async () => {
    expect((await staff.get(`/api/staff/readers/${readerId}`)).body.realNameVerified).toBe(false)
    t.clock.now = Date.parse('2026-12-03T10:00:00Z')
    const marked = await staff.post(`/api/staff/readers/${readerId}/real-name`, { verified: true })
    expect(marked.status).toBe(200)
    expect(marked.body.realNameVerified).toBe(true)
    expect((await reader.get('/api/me')).body.account.realNameVerified).toBe(true)
    t.clock.now += 60_000
    await staff.post(`/api/staff/readers/${readerId}/real-name`, { verified: false })
    t.clock.now += 60_000
    await staff.post(`/api/staff/readers/${readerId}/real-name`, { verified: true })
    const audit = (await staff.get(`/api/staff/readers/${readerId}/real-name`)).body
    expect(audit.entries).toEqual([
      { verified: true, by: { id: expect.any(String), name: 'libadmin' }, at: '2026-12-03T10:00:00.000Z' },
      { verified: false, by: { id: expect.any(String), name: 'libadmin' }, at: '2026-12-03T10:01:00.000Z' },
      { verified: true, by: { id: expect.any(String), name: 'libadmin' }, at: '2026-12-03T10:02:00.000Z' },
    ])
  })

  it('is for staff only, about readers that exist, with a well-formed body', async () => {
    expect((await reader.post(`/api/staff/readers/${readerId}/real-name`, { verified: true })).status).toBe(403)
    expect((await staff.post('/api/staff/readers/nobody/real-name', { verified: true })).status).toBe(404)
    const bad = await staff.post(`/api/staff/readers/${readerId}/real-name`, { verified: 'yes' })
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('validation_failed')
    const admin = (await staff.get('/api/me')).body.account.id
    expect((await staff.post(`/api/staff/readers/${admin}/real-name`, { verified: true })).status).toBe(404)
  })
})
