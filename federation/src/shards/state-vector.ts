/**
 * @module state-vector
 * Yjs state vectors as maps (client → next clock), and the comparisons a sharded catalog needs.
 */
import * as Y from 'yjs'

export type Clocks = Map<number, number>

/** Whether `have` holds every struct up to `want`'s clocks. */
export function covers(have: Clocks, want: Clocks): boolean {
  for (const [client, clock] of want) if ((have.get(client) ?? 0) < clock) return false
  return true
}

/** Raises `into`'s clocks to `more`'s where they are ahead. */
export function raise(into: Clocks, more: Clocks): Clocks {
  for (const [client, clock] of more) if ((into.get(client) ?? 0) < clock) into.set(client, clock)
  return into
}

/**
 * Where an update's structs start and end per client, from its decoded structs: what
 * `Y.parseUpdateMeta` reads, without decoding the update a second time after `Y.decodeUpdate`
 * (a peer's update is decoded once to check it; that pass was a third of a small change's cost
 * on the receiving side).
 */
export function structRange(structs: ReadonlyArray<{ id: { client: number; clock: number }; length: number }>): {
  from: Clocks
  to: Clocks
} {
  // The same walk as Y.parseUpdateMeta's: a client's range runs from its first struct of a run
  // to the end of the run's last.
  const from: Clocks = new Map()
  const to: Clocks = new Map()
  let client: number | undefined
  let clock = 0
  for (const s of structs) {
    if (s.id.client !== client) {
      if (client !== undefined) to.set(client, clock)
      client = s.id.client
      from.set(client, s.id.clock)
    }
    clock = s.id.clock + s.length
  }
  if (client !== undefined) to.set(client, clock)
  return { from, to }
}

/** Whether a peer at `have` lacks all of an update that starts at `from` (a diff would keep it whole). */
export function lacksAll(have: Clocks, from: Clocks): boolean {
  for (const [client, clock] of from) if ((have.get(client) ?? 0) > clock) return false
  return true
}

export const encodeClocks = (clocks: Clocks): Uint8Array => Y.encodeStateVector(clocks)
export const decodeClocks = (bytes: Uint8Array): Clocks => Y.decodeStateVector(bytes)
