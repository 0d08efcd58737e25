/**
 * The settings declaration as an operator meets it: every field of NodeConfig has its flag and
 * variable, the two agree with what README promises, and flags win over variables.
 */
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { configFlags, configFromEnv, configFromFlags, declaredSettings, NodeConfig } from './config.js'

const readme = () => readFile(new URL('../../../README.md', import.meta.url), 'utf8')
const operator = declaredSettings.filter((s) => !s.testOnly)

describe('NodeConfig settings', () => {
  it('declares every field once, with a flag (unless test-only), a SHULIN_ variable and descriptions', () => {
    expect(declaredSettings.map((s) => s.key)).toEqual(Object.keys(NodeConfig.shape))
    for (const s of declaredSettings) {
      expect(s.env, s.key).toMatch(/^SHULIN_[A-Z0-9_]+$/)
      expect(s.en.length, s.key).toBeGreaterThan(10)
      expect(s.zh.length, s.key).toBeGreaterThan(3)
      if (s.testOnly) expect(s.flag, s.key).toBeUndefined()
      else expect(s.flag, s.key).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
    }
    expect(new Set(declaredSettings.map((s) => s.env)).size).toBe(declaredSettings.length)
    expect(new Set(operator.map((s) => s.flag)).size).toBe(operator.length)
    expect(Object.keys(configFlags)).toEqual(operator.map((s) => s.flag))
  })

  it('keeps the test-only clock skew out of the flags', () => {
    const skew = declaredSettings.find((s) => s.env === 'SHULIN_CLOCK_SKEW_MS')
    expect(skew?.testOnly).toBe(true)
    expect(Object.keys(configFlags)).not.toContain('clock-skew-ms')
  })

  it('reads variables and flags, the flag winning, and falls back to the declared defaults', () => {
    const fromEnv = configFromEnv({
      SHULIN_PORT: '9000',
      SHULIN_STATS_RAW_DAYS: '7',
      SHULIN_MIRROR_HOURS: '',
      SHULIN_CLOCK_SKEW_MS: '60000',
      HOME: '/root',
    })
    expect(fromEnv).toEqual({ port: '9000', statsRawDays: '7', clockSkewMs: '60000' })
    const config = NodeConfig.parse({
      ...fromEnv,
      ...configFromFlags({ port: '9001', 'trust-proxy': true, 'oidc-providers': 'p.json' }),
    })
    expect(config).toMatchObject({
      port: 9001,
      statsRawDays: 7,
      clockSkewMs: 60_000,
      trustProxy: true,
      oidcProviders: 'p.json',
      dataDir: './data',
      mirrorHours: '0-24',
    })
    expect(NodeConfig.parse({}).statsRawDays).toBe(30)
    expect(NodeConfig.safeParse({ statsRawDays: 'thirty' }).success).toBe(false)
  })

  it('takes the addresses to announce as a comma-separated list of TCP multiaddrs, and names the fix for anything else', () => {
    const ok = NodeConfig.parse(
      configFromEnv({ SHULIN_ANNOUNCE: '/dns4/hub.example.org/tcp/8091, /ip4/203.0.113.7/tcp/18091' }),
    )
    expect(ok.announce).toEqual(['/dns4/hub.example.org/tcp/8091', '/ip4/203.0.113.7/tcp/18091'])
    expect(NodeConfig.parse({}).announce).toBeUndefined()
    for (const bad of [
      'not-a-multiaddr',
      '/ip4/203.0.113.7/udp/8091/quic',
      '/ip4/0.0.0.0/tcp/8091',
      '/ip4/1.2.3.4/tcp/0',
    ]) {
      const r = NodeConfig.safeParse({ announce: bad })
      expect(r.success, bad).toBe(false)
      expect(r.error!.issues[0]!.message).toMatch(/give the address peers should dial, e\.g\. \/ip4\//)
    }
  })

  it('README lists every variable and every flag of shulin start, and no test-only one', async () => {
    const text = await readme()
    const paragraph = /^Every flag also reads an environment variable[\s\S]*?\n\n/m.exec(text)?.[0]
    expect(paragraph, 'README paragraph "Every flag also reads an environment variable"').toBeDefined()
    const listed = new Set(paragraph!.match(/SHULIN_[A-Z0-9_]+/g))
    expect([...listed].sort()).toEqual(
      [...operator.map((s) => s.env), 'SHULIN_ADMIN_USERNAME', 'SHULIN_ADMIN_PASSWORD'].sort(),
    )

    const usage = /^npx shulin start [\s\S]*?(?=^npx shulin admin)/m.exec(text)?.[0]
    expect(usage, 'README usage of npx shulin start').toBeDefined()
    const flags = [...usage!.matchAll(/\[--([a-z0-9-]+)/g)].map((m) => m[1])
    expect(flags).toEqual(operator.map((s) => s.flag))
  })
})
