// Shared helpers for the benchmark scripts: processes, ports, timing, statistics.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const shulinBin = fileURLToPath(new URL('../bin/shulin.js', import.meta.url))
const children = new Set()

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

export function spawnTracked(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts })
  children.add(child)
  child.on('exit', () => children.delete(child))
  child.stdout?.resume()
  child.stderr?.resume()
  return child
}

/** `shulin start` on loopback with warnings only, as every benchmark runs its node. */
export function spawnShulin(data, port) {
  return spawnTracked(process.execPath, [
    shulinBin,
    'start',
    '--data',
    data,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--log-level',
    'warn',
  ])
}

export function killAll() {
  for (const c of children) c.kill('SIGKILL')
}
process.on('exit', killAll)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130))

/** Polls `url` every 5 ms until it answers 200; returns the milliseconds it took from `t0`. */
export async function waitHealthy(url, t0, timeoutMs = 20_000) {
  for (;;) {
    try {
      const res = await fetch(url)
      if (res.ok) {
        await res.arrayBuffer()
        return performance.now() - t0
      }
    } catch {}
    if (performance.now() - t0 > timeoutMs) throw new Error(`${url} not healthy after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export async function stop(child) {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
  if (child.exitCode === null) child.kill('SIGKILL')
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]
}

export function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)))
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ')).join('\n')
}

/** Runs a command to completion; resolves with its exit code and output. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}
