/**
 * @module registry-sync
 * Carries the registry exchange (a peer says what it holds and gets back every newer entry, as
 * the hub signed them; any member may answer), declared in `@shulin/protocol` (`wire/registry`),
 * over {@link serveExchange} / {@link askExchange}: `/shulin/registry/1.1.0` (by the newest
 * `issuedAt` held) first, `/shulin/registry/1.0.0` (by every entry's seq) with a peer that does
 * not speak 1.1.0.
 */
import {
  RegistryExchange,
  RegistrySinceExchange,
  type RegistryRequest,
  type RegistryResponse,
  type RegistrySinceRequest,
} from '@shulin/protocol'
import type { Host } from '../host/host.js'
import { askExchange, serveExchange } from '../wire/exchange.js'

/** What an asker says it holds, by either version of the exchange. */
export type RegistryAsk = RegistryRequest | RegistrySinceRequest

/** Answers registry requests of both versions; `answer` decides per caller (members only). */
export async function serveRegistry(
  host: Host,
  answer: (req: RegistryAsk, from: string) => Promise<RegistryResponse>,
  log?: (msg: string, err?: unknown) => void,
): Promise<void> {
  await serveExchange(host, RegistrySinceExchange, answer, log)
  await serveExchange(host, RegistryExchange, answer, log)
}

/** What the asker holds: the newest `issuedAt` (1.1.0), and every entry's seq for a 1.0.0 peer. */
export interface RegistryHeld {
  since: string | undefined
  have: () => Record<string, number>
}

const unsupported = /protocol selection failed/i

/** Asks the peer at one of `addrs` for the entries newer than what `held` says. */
export async function fetchRegistry(
  host: Host,
  addrs: string[],
  held: RegistryHeld,
  version?: string,
): Promise<RegistryResponse> {
  const v = version ? { version } : {}
  try {
    const since = held.since === undefined ? {} : { since: held.since }
    return await askExchange(host, RegistrySinceExchange, addrs, { ...since, ...v }, 'no peer answered')
  } catch (err) {
    // A peer of an earlier version: the same question, by seq.
    if (!unsupported.test((err as Error).message)) throw err
    return askExchange(host, RegistryExchange, addrs, { have: held.have(), ...v }, 'no peer answered')
  }
}
