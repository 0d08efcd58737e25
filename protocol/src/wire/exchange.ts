/**
 * @module wire/exchange
 * Shulin's small request/answer protocols (join, renew, registry, network search, holders,
 * stats) all have one shape: over one libp2p stream, one length-prefixed JSON request and one
 * length-prefixed JSON answer. An {@link ExchangeSpec} declares one such protocol once — its
 * id, both message schemas, the answer to a request that does not parse, and its limits — and
 * {@link encodeJsonMessage} / {@link decodeJsonMessage} are the one writer and reader of its
 * messages, on both sides (`@shulin/federation`'s `serveExchange` / `askExchange` carry them).
 *
 * @example
 * ```ts
 * const bytes = encodeJsonMessage({ have: {} })            // {"have":{}} as UTF-8
 * decodeJsonMessage(RegistryExchange.request, bytes)       // { have: {} }, or undefined
 * ```
 */
import type { z } from 'zod'

export interface ExchangeSpec<Req, Res> {
  protocol: string
  request: z.ZodType<Req>
  response: z.ZodType<Res>
  /** The answer to a request that does not parse. */
  invalid: Res
  /** Largest message either way (bytes of the length-prefixed JSON). */
  maxBytes: number
  /** How long one exchange may take… */
  timeoutMs: number
  /** …per address tried (else for all addresses together). */
  perAttempt?: boolean
  /** Streams of this protocol one connection may have open at once. */
  maxInboundStreams: number
}

/** A JSON message's bytes: `JSON.stringify`, UTF-8 (key order is the object's own). */
export function encodeJsonMessage(message: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(message))
}

/** Strict UTF-8 JSON, or `undefined` for anything that is not. */
export function decodeJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return undefined
  }
}

/** The message `schema` reads from `bytes`, or `undefined` for anything that is not one. */
export function decodeJsonMessage<T>(schema: z.ZodType<T>, bytes: Uint8Array): T | undefined {
  const r = schema.safeParse(decodeJson(bytes))
  return r.success ? r.data : undefined
}
