/**
 * @module wire/holders
 * `/shulin/holders/1.0.0` as an exchange: members tell the hub which channel files they hold,
 * and ask it who holds one (the messages and limits are `distribution/holders`'s). One request,
 * one answer ({@link ExchangeSpec}).
 */
import { HOLDERS_PROTOCOL, HoldersAnswer, HoldersRequest, holdersLimits } from '../distribution/holders.js'
import type { ExchangeSpec } from './exchange.js'

export const HoldersExchange: ExchangeSpec<HoldersRequest, HoldersAnswer> = {
  protocol: HOLDERS_PROTOCOL,
  request: HoldersRequest,
  response: HoldersAnswer,
  invalid: { ok: false, reason: 'invalid' },
  maxBytes: holdersLimits.maxMessageBytes,
  timeoutMs: 5_000,
  maxInboundStreams: 32,
}
