import { createServer } from 'node:net'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startNode } from './server.js'
import { dataPaths, openDataFolder } from './storage/data-folder.js'
import { freePort } from './testing/free-port.js'
import { tempDir } from './testing/temp-node.js'

const quiet = { logLevel: 'silent', host: '127.0.0.1', p2pPort: 0 } as const

/** Whether this process can listen on `port` now (the failed node let go of it). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })
}

describe('startNode', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('a start that fails after the HTTP server listens stops what it had started: the port is free and the folder opens again', async () => {
    dir = await tempDir()
    const first = await startNode({ ...quiet, dataDir: dir, port: 0 }, { print: () => {} })
    await first.close()
    // The control file cannot be written (a folder stands where it goes): the last step of the start fails.
    const control = dataPaths(dir).control
    await mkdir(control)
    await writeFile(join(control, 'keep'), 'x')
    const port = await freePort()
    await expect(startNode({ ...quiet, dataDir: dir, port }, { print: () => {} })).rejects.toThrow()
    expect(await canListen(port)).toBe(true)
    const folder = await openDataFolder(dir, { create: false })
    await folder.storage.close()
  }, 30_000)

  it('stops in reverse: the control file is gone and the folder opens again once close resolves, and closing twice is one close', async () => {
    dir = await tempDir()
    const node = await startNode({ ...quiet, dataDir: dir, port: 0 }, { print: () => {} })
    const closing = node.close()
    expect(node.close()).toBe(closing)
    await closing
    await expect(openDataFolder(dir, { create: false }).then((f) => f.storage.close())).resolves.toBeUndefined()
    const { readControlFile } = await import('./control/control-file.js')
    expect(await readControlFile(dataPaths(dir).control)).toBeUndefined()
    expect(await canListen(Number(new URL(node.url).port))).toBe(true)
  }, 30_000)
})
