/**
 * Channels on one node over HTTP: an import that publishes into a channel (and refuses, line
 * by line, text that cannot be signed), re-publishing a record when it changes, and the bad
 * input the channel routes refuse without changing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInAdmin, startTempNode, type TempNode } from '../testing/temp-node.js'

describe('channels on a node', () => {
  let t: TempNode
  let staff: Client
  beforeAll(async () => {
    t = await startTempNode()
    staff = await signedInAdmin(t)
  })
  afterAll(() => t.close())

  const jsonl = (lines: string[]) => Buffer.from(lines.join('\n'))
  const importInto = (channel: string, lines: string[]) =>
    staff.post(`/api/staff/resources/import?format=jsonl&channel=${encodeURIComponent(channel)}`, jsonl(lines), {
      'content-type': 'application/x-ndjson',
    })

  it('publishes an import into a channel; a line cut in the middle of a character is refused on its own', async () => {
    const r = await importInto('乡土文献', [
      JSON.stringify({ title: '临安县志', creators: ['县志办'] }),
      // "\ud842" is half of 𠮷: a line cut there cannot be signed, so it is refused with a reason.
      '{"title":"半个字","description":"吉\\ud842"}',
      JSON.stringify({ title: '天目山志', creators: ['县志办'] }),
    ])
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      created: 2,
      rejected: 1,
      rejects: [{ n: 2, reason: expect.stringContaining('lone_surrogate') }],
      channel: { name: '乡土文献', added: 2 },
    })
    const list = await new Client(t.node.url).get('/api/channels')
    expect(list.body.channels).toEqual([
      expect.objectContaining({
        id: r.body.channel.id,
        name: '乡土文献',
        role: 'publisher',
        records: 2,
        submitted: false,
        menu: null,
      }),
    ])
    // Importing again changes nothing and adds the same two.
    const again = await importInto('乡土文献', [JSON.stringify({ title: '临安县志', creators: ['县志办'] })])
    expect(again.body.channel.id).toBe(r.body.channel.id)
  })

  it('refuses bad channel ids, subscribing to its own channel, and unknown channels, changing nothing', async () => {
    const own = (await new Client(t.node.url).get('/api/channels')).body.channels[0].id
    for (const bad of ['nope', '../../db', 'ABCDEF12-0123456789']) {
      const res = await staff.post(`/api/staff/channels/${encodeURIComponent(bad)}/records`, { ids: ['x'] })
      expect(res.status, bad).toBe(400)
      expect(res.headers.get('content-type')).toMatch(/problem\+json/)
    }
    expect((await staff.post('/api/staff/channels/subscriptions', { channel: own })).status).toBe(409)
    expect((await staff.post('/api/staff/channels/subscriptions', { channel: 'not-an-id' })).status).toBe(400)
    expect((await staff.post('/api/staff/channels/0123abcd-0123456789/submit')).status).toBe(404)
    expect((await staff.post(`/api/staff/channels/menu/${own}`, { state: 'listed' })).status).toBe(409) // not the hub
    expect((await staff.post('/api/staff/channels', { name: '' })).status).toBe(400)
    expect((await new Client(t.node.url).get('/api/channels')).body.channels).toHaveLength(1)
    // Readers may look, not change.
    expect((await new Client(t.node.url).post('/api/staff/channels', { name: '读者的频道' })).status).toBe(401)
  })
})
