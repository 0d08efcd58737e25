/**
 * @module stats
 * Usage statistics: COUNTER R5 metrics, the rules that count them, daily roll-ups and the
 * shapes of SUSHI reports.
 */
export * from './metrics.js'
export * from './device.js'
export * from './counter.js'
export * from './rollup.js'
export * from './sushi.js'
export * from './responses.js'
