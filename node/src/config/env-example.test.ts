/**
 * docker/.env.example documents every setting: each one `shulin start` takes (declared on
 * NodeConfig) and each SHULIN_* variable README names, and it is what `npm run env-example`
 * writes — so a setting added without it fails here, with the command that fixes it.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { declaredSettings } from './config.js'
import { envExample } from './env-example.js'

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')
const example = read('docker/.env.example')
const documented = new Set([...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]))
const fix = 'run `npm run env-example` to write docker/.env.example again'

describe('docker/.env.example', () => {
  it('documents every setting of shulin start', () => {
    const missing = declaredSettings.filter((s) => !s.testOnly && !documented.has(s.env)).map((s) => s.env)
    expect(missing, fix).toEqual([])
  })

  it('documents every SHULIN_* variable README names (but the test-only ones)', () => {
    const testOnly = new Set(declaredSettings.filter((s) => s.testOnly).map((s) => s.env))
    const named = new Set([...read('README.md').matchAll(/\bSHULIN_[A-Z0-9_]+/g)].map((m) => m[0]))
    expect([...named].filter((n) => !testOnly.has(n) && !documented.has(n)).sort(), fix).toEqual([])
  })

  it('is what npm run env-example writes, and sets nothing: every line is a comment', () => {
    expect(example, fix).toBe(envExample())
    expect(example.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual([])
  })
})
