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

export const encodeClocks = (clocks: Clocks): Uint8Array => Y.encodeStateVector(clocks)
export const decodeClocks = (bytes: Uint8Array): Clocks => Y.decodeStateVector(bytes)
