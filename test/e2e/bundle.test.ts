/**
 * The offline bundles `npm run bundle` makes (dist-bundle/; .ci/run makes them before the tests):
 * the Linux one, unpacked in an empty folder and started with no npm and no Node.js on PATH,
 * runs its own Node.js and serves the portal; a damaged file or another machine is refused by
 * its launcher with the fix; the Windows zip holds node.exe, the win32 native binaries
 * (classic-level, argon2, sharp) and no Linux ones, and WinSW as shulin-service.exe with its
 * licence. Skipped, saying so, when the bundles were
 * not built: making them takes minutes and npm's registry.
 */
import { spawnSync } from 'node:child_process'
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import yauzl from 'yauzl'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../node/src/testing/free-port.js'
import { spawnLogged } from './processes.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version
const linuxBundle = join(root, 'dist-bundle', `shulin-${version}-linux-x64.tar.gz`)
const winBundle = join(root, 'dist-bundle', `shulin-${version}-win-x64.zip`)
const built = existsSync(linuxBundle) && existsSync(winBundle)
const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64'

const work = mkdtempSync(join(tmpdir(), 'shulin-bundle-'))
// The unpacked bundles are a few hundred MB: removing them took over 30 s on a loaded CI machine.
afterAll(() => rmSync(work, { recursive: true, force: true }), 180_000)

/** A PATH with only the shell tools the launcher uses: no node, no npm. */
function bareBin(extra: Record<string, string> = {}): string {
  const bin = mkdtempSync(join(work, 'bin-'))
  for (const tool of ['sh', 'uname', 'dirname', 'cat']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim()
    if (!extra[tool]) symlinkSync(found, join(bin, tool))
  }
  for (const [tool, script] of Object.entries(extra)) {
    writeFileSync(join(bin, tool), script)
    chmodSync(join(bin, tool), 0o755)
  }
  return bin
}

describe.skipIf(!built || !onLinuxX64)(
  `the offline bundles${built ? '' : ' (skipped: dist-bundle/ holds no bundles — `npm run bundle` makes them)'}`,
  () => {
    const top = join(work, 'unpacked', `shulin-${version}-linux-x64`)

    it('unpacked in an empty folder, starts on its own Node.js with none on PATH and serves the portal', async () => {
      mkdirSync(join(work, 'unpacked'))
      const untar = spawnSync('tar', ['-xzf', linuxBundle, '-C', join(work, 'unpacked')], { timeout: 120_000 })
      expect(untar.status).toBe(0)
      const bin = bareBin()
      const env = { PATH: bin, HOME: work, LANG: 'C.UTF-8' }
      expect(spawnSync('sh', ['-c', 'command -v node || command -v npm'], { env }).status).not.toBe(0)

      const port = await freePort()
      const { child, output, exited } = spawnLogged(
        join(top, 'shulin'),
        ['start', '--data', join(work, 'data'), '--port', String(port), '--p2p-port', '0'],
        env,
      )
      try {
        const base = `http://127.0.0.1:${port}`
        let health: { status?: string } = {}
        for (let i = 0; i < 240 && health.status !== 'ok'; i++) {
          health = await fetch(`${base}/api/health`).then(
            (r) => r.json() as Promise<{ status: string }>,
            () => ({}),
          )
          if (health.status !== 'ok') await new Promise((r) => setTimeout(r, 250))
        }
        expect(health.status, output()).toBe('ok')
        // The launcher execs the bundle's node: this very process is it.
        expect(readlinkSync(`/proc/${child.pid}/exe`)).toBe(join(top, 'runtime', 'node'))
        const portal = await fetch(`${base}/`)
        expect(portal.headers.get('content-type')).toContain('text/html')
        expect(await portal.text()).toContain('<html')
        child.kill('SIGTERM')
        expect(await exited).toBe(0)
      } finally {
        child.kill('SIGKILL')
      }
    }, 120_000)

    it('refuses a damaged or incomplete bundle, naming the file and the fix', () => {
      const env = { PATH: bareBin(), HOME: work }
      const target = join(top, 'app', 'node', 'dist', 'cli', 'main.js')
      const before = readFileSync(target)
      appendFileSync(target, '\n// changed')
      let r = spawnSync(join(top, 'shulin'), ['version'], { env, encoding: 'utf8', timeout: 60_000 })
      expect(r.status).toBe(1)
      expect(r.stderr).toContain('this bundle is corrupt: app/node/dist/cli/main.js is damaged')
      expect(r.stderr).toContain('Unpack shulin-*-linux-x64.tar.gz again')
      expect(r.stdout).toBe('')
      writeFileSync(target, before)
      rmSync(join(top, 'app', 'web-ui', 'dist', 'index.html'))
      r = spawnSync(join(top, 'shulin'), ['version'], { env, encoding: 'utf8', timeout: 60_000 })
      expect(r.status).toBe(1)
      expect(r.stderr).toContain('app/web-ui/dist/index.html is missing')
      rmSync(join(top, 'runtime', 'node'))
      r = spawnSync(join(top, 'shulin'), ['version'], { env, encoding: 'utf8', timeout: 60_000 })
      expect(r.status).toBe(1)
      expect(r.stderr).toContain('runtime/node is missing or not executable: the bundle is incomplete')
    }, 120_000)

    it('refuses to run on another machine, or as another platform’s bundle', () => {
      const arm = bareBin({ uname: '#!/bin/sh\n[ "$1" = -m ] && echo aarch64 || echo Linux\n' })
      let r = spawnSync(join(top, 'shulin'), ['version'], { env: { PATH: arm }, encoding: 'utf8', timeout: 30_000 })
      expect(r.status).toBe(1)
      expect(r.stderr).toContain('this bundle is for Linux on x86-64 (linux-x64), but this machine is Linux aarch64')
      writeFileSync(join(top, 'PLATFORM'), 'win-x64\n')
      r = spawnSync(join(top, 'shulin'), ['version'], { env: { PATH: bareBin() }, encoding: 'utf8', timeout: 30_000 })
      expect(r.status).toBe(1)
      expect(r.stderr).toContain("not a complete Shulin bundle for Linux (PLATFORM says 'win-x64')")
    })

    it('the Windows zip holds node.exe, the launcher, the service wrapper and the win32 native binaries, and no Linux ones', async () => {
      const entries = await new Promise<Map<string, yauzl.Entry>>((resolve, reject) => {
        yauzl.open(winBundle, { lazyEntries: true }, (err, zip) => {
          if (err || !zip) return reject(err ?? new Error('no zip'))
          const all = new Map<string, yauzl.Entry>()
          zip.on('entry', (e: yauzl.Entry) => {
            all.set(e.fileName, e)
            zip.readEntry()
          })
          zip.on('end', () => resolve(all))
          zip.on('error', reject)
          zip.readEntry()
        })
      })
      const names = [...entries.keys()]
      const top = `shulin-${version}-win-x64/`
      expect(names.every((n) => n.startsWith(top))).toBe(true)
      for (const path of [
        'runtime/node.exe',
        'shulin.cmd',
        'PLATFORM',
        'MANIFEST.sha256',
        'README-OFFLINE.txt',
        'app/launch.mjs',
        'app/bin/shulin.js',
        'app/web-ui/dist/index.html',
        'app/node_modules/classic-level/prebuilds/win32-x64/classic-level.node',
        // WinSW, the service wrapper `shulin service install` registers, its .NET config and licence.
        'shulin-service.exe',
        'shulin-service.exe.config',
        'shulin-service.LICENSE.txt',
      ])
        expect(names, path).toContain(top + path)
      expect(names.some((n) => /@node-rs\/argon2-win32-x64-msvc\/.*\.node$/.test(n))).toBe(true)
      expect(names.some((n) => /@img\/sharp-win32-x64\/lib\/.*\.node$/.test(n))).toBe(true)
      expect(names.filter((n) => /linux|darwin/.test(n) && /\.(node|so(\.\d+)*)$/.test(n))).toEqual([])
      expect(names.filter((n) => n.includes('prebuilds/') && !n.includes('prebuilds/win32-x64/'))).toEqual([])
      // Every file is in the manifest the launcher checks (the manifest itself excepted).
      const manifest = await new Promise<string>((resolve, reject) => {
        yauzl.open(winBundle, { lazyEntries: true }, (err, zip) => {
          if (err || !zip) return reject(err ?? new Error('no zip'))
          zip.on('entry', (e: yauzl.Entry) => {
            if (e.fileName !== top + 'MANIFEST.sha256') return zip.readEntry()
            zip.openReadStream(e, (err2, stream) => {
              if (err2 || !stream) return reject(err2 ?? new Error('no stream'))
              let text = ''
              stream.on('data', (d: Buffer) => (text += d.toString('utf8')))
              stream.on('end', () => (zip.close(), resolve(text)))
            })
          })
          zip.readEntry()
        })
      })
      const listed = manifest
        .trim()
        .split('\n')
        .map((l) => top + l.slice(66))
      expect(listed.sort()).toEqual(names.filter((n) => n !== top + 'MANIFEST.sha256').sort())
      // The wrapper is the pinned WinSW build (checked by scripts/bundle.mjs), named in the manifest.
      expect(manifest).toMatch(
        /^5859b114d96800a2b98ef9d19eaa573a786a422dad324547ef25be181389df01 {2}shulin-service\.exe$/m,
      )
      expect(entries.get(top + 'shulin-service.exe')!.uncompressedSize).toBeGreaterThan(10_000)
    })
  },
)
