/**
 * @module @shulin/protocol
 * Shulin's shared vocabulary: zod schemas of every record and message, and pure logic
 * (validation rules, locale choice). No I/O: the node, the federation layer and the web UI
 * all import from here.
 *
 * @example
 * ```ts
 * import { RegisterRequest, normalizeResidentId } from '@shulin/protocol'
 * RegisterRequest.parse({ mode: 'quick', phone: '13800138000', password: 'reading-is-fun' })
 * normalizeResidentId('11010519491231002X') // '11010519491231002X'
 * ```
 */
export * from './text.js'
export * from './problem.js'
export * from './health.js'
export * from './i18n/locale.js'
export * from './i18n/messages.js'
export * from './accounts/resident-id.js'
export * from './accounts/identifiers.js'
export * from './accounts/password-policy.js'
export * from './accounts/schemas.js'
export * from './resources/identifiers.js'
export * from './courses/schemas.js'
export * from './resources/schemas.js'
export * from './resources/dcmi.js'
export * from './resources/collections.js'
export * from './portal/home.js'
export * from './reading/schemas.js'
export * from './reading/responses.js'
export * from './search/schemas.js'
export * from './federation/schemas.js'
export * from './federation/clock.js'
export * from './identity/schemas.js'
export * from './identity/responses.js'
export * from './staff/responses.js'
export * from './stats/index.js'
export * from './channels/schemas.js'
export * from './distribution/index.js'
export * from './search/network.js'
export * from './capped-json.js'
export * from './wire/index.js'
export * from './inbox/schemas.js'
export * from './notify/schemas.js'
export * from './courses/subscriptions.js'
export * from './staff/library.js'
export * from './staff/colour.js'
export * from './live/schemas.js'
export * from './activities/schemas.js'
export * from './activities/signups.js'
export * from './news/schemas.js'
export * from './ld/cards.js'
export * from './recommend/schemas.js'
export * from './wechat/schemas.js'
export * from './ld/uris.js'
export * from './ld/sparql.js'
export * from './sip2/schemas.js'
