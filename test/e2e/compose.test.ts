/**
 * The compose files parse as YAML and hold what docker/compose.yaml's users rely on: no file to
 * make first (the .env is optional, every variable has a default), the image's ports 8090 and
 * 8091 published, the data in a named volume at /data, Meilisearch only under the `search`
 * profile, and the hub/member pair from README. (No compose engine runs here; the image itself
 * is built and run by docker/test.sh.)
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

interface Service {
  build?: { context: string; dockerfile: string }
  image?: string
  env_file?: Array<{ path: string; required: boolean }>
  environment?: Record<string, string>
  ports?: string[]
  volumes?: string[]
  profiles?: string[]
  depends_on?: Record<string, { required?: boolean }>
}
interface Compose {
  name: string
  services: Record<string, Service>
  volumes: Record<string, unknown>
}

const text = (f: string) => readFileSync(new URL(`../../docker/${f}`, import.meta.url), 'utf8')
const load = (f: string) => parse(text(f)) as Compose

describe.each(['compose.yaml', 'compose.hub.yaml', 'compose.member.yaml'])('docker/%s', (file) => {
  const c = load(file)
  const node = c.services.shulin!

  it('starts with no hand-made file: the .env is optional and every variable has a default', () => {
    expect(node.env_file).toEqual([{ path: '.env', required: false }])
    const variables = [
      ...text(file)
        .replace(/^\s*#.*$/gm, '')
        .matchAll(/\$\{([^}]*)\}/g),
    ].map((m) => m[1]!)
    expect(variables.length).toBeGreaterThan(0)
    expect(variables.filter((v) => !/^[A-Z0-9_]+:-/.test(v))).toEqual([])
  })

  it('builds the image, publishes 8090, 8091 and 1935 (RTMP) and keeps the data in a volume at /data', () => {
    expect(node.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' })
    expect(node.ports).toEqual([
      '${SHULIN_PUBLISH_PORT:-8090}:8090',
      '${SHULIN_PUBLISH_P2P_PORT:-8091}:8091',
      '${SHULIN_PUBLISH_RTMP_PORT:-1935}:1935',
    ])
    expect(node.environment).toMatchObject({
      SHULIN_DATA: '/data',
      SHULIN_PORT: '8090',
      SHULIN_P2P_PORT: '8091',
      SHULIN_RTMP_PORT: '1935',
    })
    const [volume, mount] = node.volumes![0]!.split(':')
    expect(mount).toBe('/data')
    expect(c.volumes).toHaveProperty(volume!)
  })

  it('runs Meilisearch only under the search profile', () => {
    const meili = c.services.meilisearch
    if (file === 'compose.member.yaml') return expect(meili).toBeUndefined()
    expect(meili?.profiles).toEqual(['search'])
    expect(node.profiles).toBeUndefined()
    // The node does not wait for a service the profile may leave out.
    expect(node.depends_on?.meilisearch?.required).toBe(false)
  })
})

describe('the hub and member pair (README "Joining the network")', () => {
  it('are a hub and a node, in separate projects with their own volumes', () => {
    const hub = load('compose.hub.yaml')
    const member = load('compose.member.yaml')
    expect(hub.services.shulin!.environment!.SHULIN_ROLE).toBe('hub')
    expect(member.services.shulin!.environment!.SHULIN_ROLE).toBe('node')
    expect(hub.name).not.toBe(member.name)
    expect(Object.keys(hub.volumes)).not.toEqual(Object.keys(member.volumes))
  })
})

describe('docker/Dockerfile', () => {
  it('copies every workspace’s manifest before npm ci (a missing one fails the build minutes in)', () => {
    const dockerfile = text('Dockerfile')
    const workspaces = (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { workspaces: string[] }
    ).workspaces
    const missing = workspaces.filter((w) => !dockerfile.includes(`COPY ${w}/package.json ${w}/`))
    expect(missing).toEqual([])
    expect(dockerfile).toMatch(/^FROM node:22-bookworm-slim AS deps$/m)
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(dockerfile).toMatch(/^CMD \["node", "bin\/shulin\.js", "start"\]$/m)
  })
})
