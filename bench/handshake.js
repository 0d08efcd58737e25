// npm run bench:handshake [-- --clients 20 --rounds 7 --per-round 10]
//
// What a new libp2p connection costs in CPU, by connection encrypter: `@libp2p/tls` (a new
// certificate per connection), Shulin's TLS with one certificate reused (federation/src/host/
// tls-reused.ts, what the host offers first) and Noise, on loopback, in the same run. Each round
// dials `--per-round` connections from each of `--clients` hosts to one listening host, all at
// once, and closes them; the figure is the process's CPU (both ends are in it) per connection.
// The encrypters take turns round by round, so the machine's noise falls on all three alike.
import '../federation/dist/host/node20.js'
import { parseArgs } from 'node:util'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@chainsafe/libp2p-yamux'
import { noise } from '@chainsafe/libp2p-noise'
import { tls } from '@libp2p/tls'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { reusedCertificateTls } from '../federation/dist/host/tls-reused.js'

const { values: opt } = parseArgs({
  options: {
    clients: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '7' },
    'per-round': { type: 'string', default: '10' },
  },
})
const clients = Number(opt.clients)
const rounds = Number(opt.rounds)
const perRound = Number(opt['per-round'])

const encrypters = {
  '@libp2p/tls (a certificate per connection)': () => tls(),
  'Shulin TLS (certificate reused)': () => reusedCertificateTls(),
  Noise: () => noise(),
}

const host = async (encrypter, listen) =>
  createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: listen ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp()],
    connectionEncrypters: [encrypter()],
    streamMuxers: [yamux()],
    connectionManager: { inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 1_000 },
  })

const setups = {}
for (const [name, encrypter] of Object.entries(encrypters)) {
  const server = await host(encrypter, true)
  setups[name] = {
    server,
    clients: await Promise.all(Array.from({ length: clients }, () => host(encrypter, false))),
    cpuMs: [],
    wallMs: [],
  }
}

async function round({ server, clients: cs }) {
  const addr = server.getMultiaddrs()[0]
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < perRound; i++)
    await Promise.all(
      cs.map(async (c) => {
        const conn = await c.dial(addr)
        await conn.close()
      }),
    )
  const cpu = process.cpuUsage(cpu0)
  const n = perRound * cs.length
  return { cpuMs: (cpu.user + cpu.system) / 1000 / n, wallMs: (performance.now() - t0) / n }
}

// One round each first, not counted: modules and JIT warm up.
for (const s of Object.values(setups)) await round(s)
for (let r = 0; r < rounds; r++)
  for (const s of Object.values(setups)) {
    const { cpuMs, wallMs } = await round(s)
    s.cpuMs.push(cpuMs)
    s.wallMs.push(wallMs)
  }

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}
const rows = Object.entries(setups).map(([name, s]) => ({ name, cpu: median(s.cpuMs), wall: median(s.wallMs) }))
const stock = rows[0].cpu
console.log(
  `${clients} clients × ${perRound} connections a round, ${rounds} rounds each, alternated; medians (both ends' CPU):`,
)
for (const r of rows)
  console.log(
    `  ${r.name.padEnd(46)} ${r.cpu.toFixed(2).padStart(6)} ms CPU a connection  ${r.wall.toFixed(2).padStart(6)} ms wall  ×${(stock / r.cpu).toFixed(2)} of @libp2p/tls`,
  )
console.log(JSON.stringify({ clients, perRound, rounds, medians: rows }))
for (const s of Object.values(setups)) for (const h of [s.server, ...s.clients]) await h.stop()
process.exit(0)
