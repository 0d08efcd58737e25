// npm run bench:idle-connections [-- --members 300 --seconds 60 --rounds 2]
//
// What a hub pays for connections that carry nothing: its members' connections between their
// rounds. One hub host in its own process and `--members` member hosts (Shulin's createHost,
// TLS and Yamux on loopback) in this one, all connected; then the hub's CPU over `--seconds` of
// nothing, per connection per minute, for three settings in turn, `--rounds` times each:
//   libp2p's intervals   a liveness ping every 10 s, a Yamux keep-alive every 30 s, both ends;
//   before (2026-12-07)  a liveness ping every 30 s, a Yamux keep-alive every 30 s, both ends;
//   now                  the liveness pings and keep-alives of memberConnectionLimits and
//                        hubConnectionLimits (a ping every 5 min from both ends, a keep-alive
//                        every minute from members only).
// Pings further apart than the window fall outside it, so the figures also give them amortized:
// a ping's cost, from the first two settings (each end pings every 10 s in the first, every 30 s
// in the second: eight pings more a minute), times the pings of each end that fall in a minute.
import { fork } from 'node:child_process'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost, hubConnectionLimits, memberConnectionLimits } from '../federation/dist/index.js'
import { median } from './lib.js'

// Each setting: the hub's and the members' connection limits, as createHost takes them.
const bothEnds = (keepAliveMs, livenessPingMs) => ({
  hub: { ...hubConnectionLimits, keepAliveMs, livenessPingMs },
  member: { ...memberConnectionLimits, keepAliveMs, livenessPingMs },
})
const settings = {
  "libp2p's intervals": bothEnds(30_000, 10_000),
  'before (2026-12-07)': bothEnds(30_000, 30_000),
  now: { hub: hubConnectionLimits, member: memberConnectionLimits },
}

if (process.argv[2] === '--hub') {
  // The hub: listens, reports its address, and its CPU between two marks.
  const hub = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    connections: settings[process.argv[3]].hub,
  })
  let mark = process.cpuUsage()
  process.on('message', (m) => {
    if (m === 'mark') mark = process.cpuUsage()
    else if (m === 'read') {
      const c = process.cpuUsage(mark)
      process.send({ cpuMs: (c.user + c.system) / 1000, connections: hub.getConnections().length })
    }
  })
  process.send({ addr: hub.getMultiaddrs()[0].toString() })
} else {
  const { values: opt } = parseArgs({
    options: {
      members: { type: 'string', default: '300' },
      seconds: { type: 'string', default: '60' },
      rounds: { type: 'string', default: '2' },
    },
  })
  const M = Number(opt.members)
  const windowMs = Number(opt.seconds) * 1000
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

  async function measure(name) {
    const child = fork(fileURLToPath(import.meta.url), ['--hub', name])
    const next = () => new Promise((r) => child.once('message', r))
    const { addr } = await next()
    const members = []
    try {
      for (let i = 0; i < M; i++) {
        const h = await createHost({
          privateKey: await generateKeyPair('Ed25519'),
          listen: ['/ip4/127.0.0.1/tcp/0'],
          connections: settings[name].member,
        })
        members.push(h)
        await h.dial(multiaddr(addr))
      }
      await sleep(3000) // the handshakes' and identify's work done
      child.send('mark')
      const mark = process.cpuUsage()
      await sleep(windowMs)
      const c = process.cpuUsage(mark)
      child.send('read')
      const hub = await next()
      if (hub.connections < M) throw new Error(`${name}: the hub held ${hub.connections} of ${M} connections`)
      const perMinute = (ms) => (ms / M) * (60_000 / windowMs)
      return { hub: perMinute(hub.cpuMs), members: perMinute((c.user + c.system) / 1000) }
    } finally {
      child.kill()
      await Promise.all(members.map((h) => h.stop()))
    }
  }

  const runs = Object.fromEntries(Object.keys(settings).map((k) => [k, []]))
  for (let r = 0; r < Number(opt.rounds); r++)
    for (const name of Object.keys(settings)) {
      runs[name].push(await measure(name))
      console.error(`round ${r + 1}, ${name}: hub ${runs[name].at(-1).hub.toFixed(2)} ms per connection per minute`)
    }
  const med = (name, side) => median(runs[name].map((x) => x[side]))
  // What one liveness ping costs the hub (sent or answered): libp2p's intervals have eight more
  // per connection per minute than before.
  const pingMs = Math.max(0, (med("libp2p's intervals", 'hub') - med('before (2026-12-07)', 'hub')) / 8)
  const missed = [settings.now.hub, settings.now.member]
    .map((limits) => limits.livenessPingMs)
    .filter((ms) => ms > windowMs)
  const amortized = med('now', 'hub') + pingMs * missed.reduce((a, ms) => a + 60_000 / ms, 0)
  const rows = Object.keys(settings).map((name) => ({
    settings: name,
    hubMsPerConnectionPerMinute: +med(name, 'hub').toFixed(2),
    membersMsPerConnectionPerMinute: +med(name, 'members').toFixed(2),
    hubCoresAt3000: +((med(name, 'hub') * 3000) / 60_000).toFixed(3),
  }))
  console.table(rows)
  console.log(
    JSON.stringify({
      members: M,
      windowSeconds: windowMs / 1000,
      rounds: Number(opt.rounds),
      rows,
      hubPerLivenessPingMs: +pingMs.toFixed(3),
      nowWithLivenessAmortized: {
        hubMsPerConnectionPerMinute: +amortized.toFixed(2),
        hubCoresAt3000: +((amortized * 3000) / 60_000).toFixed(3),
      },
    }),
  )
}
