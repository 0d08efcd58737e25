/**
 * The SIP2 client against a SIP2 server written from the specification for the tests
 * (test/e2e/sip2-ils.mjs), run as its own process on 127.0.0.1; and against an ILS that is
 * down, slow, answers garbage or a wrong checksum.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Sip2Client, Sip2Unavailable } from './client.js'
import { parseFrame, sealFrame, sip2Checksum, Sip2FrameError } from './message.js'
import { parseSip2Url, type Sip2Settings } from './url.js'
import { startIls, type Ils } from '../../../test/e2e/sip2-ils-process.js'

const settings = (port: number, extra: Partial<Sip2Settings> = {}): Sip2Settings => ({
  host: '127.0.0.1',
  port,
  user: 'shulin',
  password: 'sip-secret',
  institution: 'CNTEST',
  tls: false,
  ...extra,
})

describe('SIP2 frames', () => {
  it('computes the checksum of the specification’s example', () => {
    expect(sip2Checksum('990 402.00AY1AZ')).toBe('FCB4')
  })

  it('seals a request and reads it back; a flipped character is a checksum mismatch', () => {
    const frame = sealFrame('941', 3)
    expect(frame).toMatch(/^941AY3AZ[0-9A-F]{4}\r$/)
    expect(parseFrame(frame.slice(0, -1))).toMatchObject({ command: '94', fixed: '1', sequence: 3 })
    expect(() => parseFrame(frame.slice(0, -1).replace('941', '940'))).toThrow(Sip2FrameError)
  })

  it('reads the URL setting and says what is missing', () => {
    expect(parseSip2Url('sip2://u:p%40ss@ils.example:6001?institution=CN01&location=MAIN&tls=1')).toEqual({
      ok: true,
      value: {
        host: 'ils.example',
        port: 6001,
        user: 'u',
        password: 'p@ss',
        institution: 'CN01',
        location: 'MAIN',
        tls: true,
      },
    })
    expect(parseSip2Url('sip2://u:p@ils.example:6001')).toMatchObject({
      ok: false,
      message: 'institution=ID is missing',
    })
    expect(parseSip2Url('http://u:p@ils:1?institution=x')).toMatchObject({ ok: false })
    expect(parseSip2Url('sip2://ils:6001?institution=x')).toMatchObject({ ok: false })
  })
})

describe('SIP2 client against a SIP2 server process', { timeout: 30_000 }, () => {
  let ils: Ils
  beforeAll(async () => {
    ils = await startIls()
  })
  afterAll(() => {
    ils?.child.kill('SIGKILL')
  })

  it('logs in once per connection and reads a patron with name and valid PIN', async () => {
    const client = new Sip2Client({ settings: settings(ils.port, { location: 'MAIN' }), poolSize: 1 })
    try {
      const before = ils.events.length
      const a = await client.patron('23000001', '1234')
      expect(a).toMatchObject({ validPatron: true, validPassword: true, name: '张小明', blocked: false })
      const b = await client.patron('23000001', '0000')
      expect(b).toMatchObject({ validPatron: true, validPassword: false })
      const c = await client.patron('99999999', '1234')
      expect(c.validPatron).toBe(false)
      // Sequence numbers count up per request on the connection: login 0, then 1, 2, 3. (The
      // server's report of a request comes on its stdout, and can arrive after its answer.)
      await expect.poll(() => ils.reported('patron', before).map((e) => e.seq)).toEqual(['1', '2', '3'])
      expect(ils.reported('connection', before)).toHaveLength(1)
      expect(ils.reported('login', before)).toEqual([expect.objectContaining({ ok: true, location: 'MAIN' })])
      expect(ils.events.slice(before).some((e) => e.event === 'bad-checksum' || e.event === 'bad-date')).toBe(false)
    } finally {
      client.close()
    }
  })

  it('keeps a card with a field separator or carriage return inside its own field', async () => {
    const client = new Sip2Client({ settings: settings(ils.port) })
    try {
      const before = ils.events.length
      const a = await client.patron('23000001|AD1234|\r2300', '0000')
      expect(a.validPatron).toBe(false)
      await expect.poll(() => ils.reported('patron', before).map((e) => e.card)).toEqual(['23000001 AD1234  2300'])
      const seen = ils.events.slice(before)
      expect(seen.some((e) => e.event === 'bad-checksum' || e.event === 'unsupported')).toBe(false)
    } finally {
      client.close()
    }
  })

  it('asks 23 Patron Status when configured so, and reads the 24', async () => {
    const client = new Sip2Client({ settings: settings(ils.port), patronMessage: '23' })
    try {
      expect(await client.patron('23000001', '1234')).toMatchObject({ validPassword: true, name: '张小明' })
      await expect.poll(() => ils.events.at(-1)).toMatchObject({ event: 'patron', cmd: '23' })
    } finally {
      client.close()
    }
  })

  it('reads a blocked patron’s flags and the ILS’s message; fines are not a block', async () => {
    const client = new Sip2Client({ settings: settings(ils.port) })
    try {
      const lost = await client.patron('23000002', '2222')
      expect(lost).toMatchObject({ blocked: true, screenMessage: '借阅证已挂失，请到服务台办理' })
      expect(lost.flags).toEqual(['charge privileges denied', 'card reported lost'])
      const fined = await client.patron('23000007', '7777')
      expect(fined).toMatchObject({ blocked: false, feeAmount: '12.50', flags: ['excessive outstanding fines'] })
    } finally {
      client.close()
    }
  })

  it('refuses with Sip2Unavailable when the ILS refuses the node’s login', async () => {
    const client = new Sip2Client({ settings: settings(ils.port, { password: 'wrong' }) })
    try {
      await expect(client.patron('23000001', '1234')).rejects.toThrow(/refused the node’s SIP2 login/)
    } finally {
      client.close()
    }
  })

  it('asks once more (97) after a wrong checksum, and gives up on a second', async () => {
    const client = new Sip2Client({ settings: settings(ils.port) })
    try {
      const before = ils.events.length
      expect(await client.patron('23000006', '6666')).toMatchObject({ validPassword: true })
      await expect.poll(() => ils.reported('resend', before).length).toBe(1)
      await expect(client.patron('23000005', '5555')).rejects.toThrow(/checksum mismatch/)
      // The damaged connection is dropped; the next question gets a new, logged-in one.
      expect(await client.patron('23000001', '1234')).toMatchObject({ validPassword: true })
    } finally {
      client.close()
    }
  })

  it('turns garbage into Sip2Unavailable and reconnects for the next patron', async () => {
    const client = new Sip2Client({ settings: settings(ils.port) })
    try {
      const before = ils.reported('login').length
      await expect(client.patron('23000004', '4444')).rejects.toBeInstanceOf(Sip2Unavailable)
      expect(await client.patron('23000001', '1234')).toMatchObject({ name: '张小明' })
      await expect.poll(() => ils.reported('login').length).toBe(before + 2)
    } finally {
      client.close()
    }
  })

  it('gives up on a slow ILS after its time limit', async () => {
    const client = new Sip2Client({ settings: settings(ils.port), timeoutMs: 500 })
    try {
      const started = Date.now()
      await expect(client.patron('23000003', '3333')).rejects.toThrow(/no answer within 500 ms/)
      expect(Date.now() - started).toBeLessThan(3500)
    } finally {
      client.close()
    }
  })

  it('shares a small pool: ten patrons at once use at most two connections', async () => {
    const client = new Sip2Client({ settings: settings(ils.port), poolSize: 2 })
    try {
      const before = ils.reported('connection').length
      const answers = await Promise.all(Array.from({ length: 10 }, () => client.patron('23000001', '1234')))
      expect(answers.every((a) => a.validPassword)).toBe(true)
      await expect.poll(() => ils.reported('connection').length - before).toBe(2)
    } finally {
      client.close()
    }
  })
})

describe('SIP2 client against an ILS that is down or hangs', { timeout: 20_000 }, () => {
  let silent: Server
  let silentPort = 0
  const sockets = new Set<Socket>()
  beforeAll(async () => {
    // Accepts connections and never says anything: a hung ILS.
    silent = createServer((socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    silentPort = (silent.address() as { port: number }).port
  })
  afterAll(async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((r) => silent.close(() => r()))
  })

  it('reports a closed port', async () => {
    const probe = createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as { port: number }).port
    await new Promise<void>((r) => probe.close(() => r()))
    const client = new Sip2Client({ settings: settings(port) })
    await expect(client.patron('23000001', '1234')).rejects.toThrow(/no connection/)
    client.close()
  })

  it('gives up on a login nobody answers', async () => {
    const client = new Sip2Client({ settings: settings(silentPort), timeoutMs: 400 })
    await expect(client.patron('23000001', '1234')).rejects.toThrow(/no answer within 400 ms/)
    expect(client.openConnections).toBe(0)
    client.close()
  })
})

describe('SIP2 client over TLS', { timeout: 30_000 }, () => {
  let ils: Ils
  let dir: string
  let cert: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shulin-sip2-tls-'))
    // A self-signed certificate for 127.0.0.1, as a library's ILS with its own CA would have.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=ils.test',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore', timeout: 10_000 },
    )
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8')
    ils = await startIls(['--tls', join(dir, 'key.pem'), join(dir, 'cert.pem')])
  })
  afterAll(() => {
    ils?.child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('signs in over TLS with the ILS’s CA, and refuses a certificate it cannot verify', async () => {
    const client = new Sip2Client({ settings: settings(ils.port, { tls: true }), ca: cert })
    try {
      expect(await client.patron('23000001', '1234')).toMatchObject({ validPassword: true, name: '张小明' })
    } finally {
      client.close()
    }
    const untrusting = new Sip2Client({ settings: settings(ils.port, { tls: true }) })
    await expect(untrusting.patron('23000001', '1234')).rejects.toThrow(/no connection.*certificate/)
    untrusting.close()
    // Plain TCP to a TLS port is garbage to both sides: unavailable, not a hang.
    const plain = new Sip2Client({ settings: settings(ils.port), timeoutMs: 1000 })
    await expect(plain.patron('23000001', '1234')).rejects.toBeInstanceOf(Sip2Unavailable)
    plain.close()
  })
})
