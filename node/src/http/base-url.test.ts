/**
 * A node's own origins, from which links and sign-in redirects may be built: its public URL
 * when it has one; otherwise its listen address (every interface's for an all-interfaces
 * listen) with the loopback names; and what the registry recorded for it.
 */
import { networkInterfaces } from 'node:os'
import { describe, expect, it } from 'vitest'
import { NodeOrigins } from './base-url.js'

describe('a node’s own origins', () => {
  it('a public URL is the one origin, and the primary URL', () => {
    const o = new NodeOrigins({ publicUrl: 'https://library.example.org/', host: '0.0.0.0' })
    o.listening(8090)
    expect([...o.own()]).toEqual(['https://library.example.org'])
    expect(o.primary()).toBe('https://library.example.org')
  })

  it('a loopback listen: its address and the loopback names, with the port', () => {
    const o = new NodeOrigins({ host: '127.0.0.1' })
    o.listening(8090)
    expect([...o.own()].sort()).toEqual(['http://127.0.0.1:8090', 'http://[::1]:8090', 'http://localhost:8090'])
    expect(o.primary()).toBe('http://127.0.0.1:8090')
  })

  it('an all-interfaces listen: every interface address, never a name nobody configured', () => {
    const o = new NodeOrigins({ host: '0.0.0.0' })
    o.listening(8090)
    const own = o.own()
    for (const list of Object.values(networkInterfaces()))
      for (const i of list ?? []) if (i.family === 'IPv4') expect(own).toContain(`http://${i.address}:8090`)
    expect(own).toContain('http://localhost:8090')
    expect(own).not.toContain('http://evil.example:8090')
    expect([...own].every((u) => u.endsWith(':8090'))).toBe(true)
  })

  it('a member: also the web address its registry entry holds', () => {
    const o = new NodeOrigins({ host: '127.0.0.1', recorded: () => ['http://10.1.2.3:8090'] })
    o.listening(8090)
    expect(o.own()).toContain('http://10.1.2.3:8090')
  })
})
