import { describe, expect, it } from 'vitest'
import { Lifecycle, type Startable } from './index.js'

/** Components that write each call into one journal, so the order is what the test reads. */
function recorded(
  names: string[],
  journal: string[],
  fail: { name?: string; phase?: keyof Startable } = {},
): Startable[] {
  return names.map((name) => {
    const step = (phase: keyof Startable) => () => {
      journal.push(`${phase} ${name}`)
      if (fail.name === name && fail.phase === phase) throw new Error(`${name} broke in ${phase}`)
    }
    return {
      name,
      beforeStart: step('beforeStart'),
      start: step('start'),
      afterStart: step('afterStart'),
      beforeStop: step('beforeStop'),
      stop: step('stop'),
      afterStop: step('afterStop'),
    }
  })
}

describe('Lifecycle', () => {
  it('starts in order, phase by phase, and stops in reverse', async () => {
    const journal: string[] = []
    const life = new Lifecycle(recorded(['a', 'b', 'c'], journal))
    await life.start()
    expect(journal).toEqual([
      'beforeStart a',
      'beforeStart b',
      'beforeStart c',
      'start a',
      'start b',
      'start c',
      'afterStart a',
      'afterStart b',
      'afterStart c',
    ])
    journal.length = 0
    await life.stop()
    expect(journal).toEqual([
      'beforeStop c',
      'beforeStop b',
      'beforeStop a',
      'stop c',
      'stop b',
      'stop a',
      'afterStop c',
      'afterStop b',
      'afterStop a',
    ])
  })

  it('a failed start stops only what had started, in reverse, and throws the start’s error', async () => {
    const journal: string[] = []
    const life = new Lifecycle(recorded(['a', 'b', 'c', 'd'], journal, { name: 'c', phase: 'start' }))
    await expect(life.start()).rejects.toThrow('c broke in start')
    expect(journal.slice(journal.indexOf('start c') + 1)).toEqual([
      'beforeStop b',
      'beforeStop a',
      'stop b',
      'stop a',
      'afterStop b',
      'afterStop a',
    ])
    expect(journal).not.toContain('start d')
  })

  it('a failure after every start stops them all', async () => {
    const journal: string[] = []
    const life = new Lifecycle(recorded(['a', 'b'], journal, { name: 'a', phase: 'afterStart' }))
    await expect(life.start()).rejects.toThrow('a broke in afterStart')
    expect(journal.filter((l) => l.startsWith('stop '))).toEqual(['stop b', 'stop a'])
  })

  it('stops every component even when one fails to, then names it; stopping twice stops once', async () => {
    const journal: string[] = []
    const life = new Lifecycle(recorded(['a', 'b', 'c'], journal, { name: 'b', phase: 'stop' }))
    await life.start()
    journal.length = 0
    const first = life.stop()
    const second = life.stop()
    await expect(first).rejects.toThrow('b failed to stop (stop): b broke in stop')
    await expect(second).rejects.toThrow('b failed to stop')
    expect(journal.filter((l) => l.startsWith('stop '))).toEqual(['stop c', 'stop b', 'stop a'])
  })
})
