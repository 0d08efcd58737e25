/**
 * @module search/embedded/postings
 * Gram → the documents that contain it. A compact base segment, built in bulk and persisted:
 * sorted gram keys (binary search), and per gram its document numbers as gaps in LEB128
 * varints (about 1.5 bytes a posting instead of 4). Documents added since the last build sit
 * in an in-memory delta, merged into a new base now and then. Document numbers only grow, so
 * base list + delta list is one ascending list.
 */
import { NumberMap } from './number-map.js'
import { distinctGrams } from './grams.js'
import type { Slices } from './slices.js'

export interface BaseSegment {
  /** Gram keys, ascending. */
  keys: Float64Array
  /** Postings of keys[i]: bytes[offsets[i] .. offsets[i + 1]). */
  offsets: Uint32Array
  bytes: Uint8Array
  /** Postings in all (for statistics). */
  count: number
}

export const emptySegment = (): BaseSegment => ({
  keys: new Float64Array(0),
  offsets: new Uint32Array(1),
  bytes: new Uint8Array(0),
  count: 0,
})

/** A sorted list of document numbers in one or two pieces. */
export interface PostingList {
  base: Uint32Array
  delta: number[] | undefined
  length: number
}

const noBase = new Uint32Array(0)

/** Where `x` is in the ascending `sorted`, or -1. */
function indexIn(sorted: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = sorted.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const v = sorted[mid]!
    if (v === x) return mid
    if (v < x) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

function decode(bytes: Uint8Array, from: number, to: number): Uint32Array {
  const out = new Uint32Array(to - from) // at least one byte a posting
  let n = 0
  let doc = 0
  let value = 0
  let shift = 0
  for (let i = from; i < to; i++) {
    const b = bytes[i]!
    value += (b & 0x7f) * 2 ** shift
    if (b & 0x80) shift += 7
    else {
      doc += value
      out[n++] = doc
      value = 0
      shift = 0
    }
  }
  return out.subarray(0, n)
}

/** Appends `value` as a LEB128 varint at `at`; returns the new end. */
function putVarint(bytes: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    bytes[at++] = (value & 0x7f) | 0x80
    value = Math.floor(value / 128)
  }
  bytes[at++] = value
  return at
}

/** Decoded lists kept for reuse: common characters come up in query after query. */
const cacheFromBytes = 2048
const cacheMaxPostings = 4_000_000

export class Postings {
  #base: BaseSegment = emptySegment()
  /** Slot → decoded list, most recently used last. */
  #cache = new Map<number, Uint32Array>()
  #cached = 0

  get base(): BaseSegment {
    return this.#base
  }

  set base(segment: BaseSegment) {
    this.#base = segment
    this.#cache.clear()
    this.#cached = 0
  }

  #decoded(i: number): Uint32Array {
    const from = this.#base.offsets[i]!
    const to = this.#base.offsets[i + 1]!
    if (to - from < cacheFromBytes) return decode(this.#base.bytes, from, to)
    const hit = this.#cache.get(i)
    if (hit) {
      this.#cache.delete(i)
      this.#cache.set(i, hit)
      return hit
    }
    const list = decode(this.#base.bytes, from, to).slice()
    this.#cache.set(i, list)
    this.#cached += list.length
    for (const [slot, old] of this.#cache) {
      if (this.#cached <= cacheMaxPostings) break
      this.#cache.delete(slot)
      this.#cached -= old.length
    }
    return list
  }

  delta = new Map<number, number[]>()
  #buffer: Float64Array = new Float64Array(4096)

  /** About how many documents hold `key`, without decoding (bytes of its list + its delta). */
  cost(key: number): number {
    const i = indexIn(this.base.keys, key)
    return (i < 0 ? 0 : this.base.offsets[i + 1]! - this.base.offsets[i]!) + (this.delta.get(key)?.length ?? 0)
  }

  list(key: number): PostingList {
    const i = indexIn(this.base.keys, key)
    const base = i < 0 ? noBase : this.#decoded(i)
    const delta = this.delta.get(key)
    return { base, delta, length: base.length + (delta?.length ?? 0) }
  }

  /** Adds a document (numbered above every indexed one) to the delta. */
  add(docno: number, text: string): void {
    const { keys, count } = distinctGrams(text, this.#buffer)
    this.#buffer = keys
    for (let i = 0; i < count; i++) {
      const k = keys[i]!
      const l = this.delta.get(k)
      if (l) l.push(docno)
      else this.delta.set(k, [docno])
    }
  }

  /**
   * Builds a base segment over documents 0..n-1 (`text(i)` undefined = skip), pausing when
   * `slices` says a slice's time is up (100k records take seconds: never in one stretch).
   */
  static async build(
    n: number,
    text: (docno: number) => string | undefined,
    slices?: Slices,
    expectedKeys = 1 << 17,
  ): Promise<BaseSegment> {
    let buffer: Float64Array = new Float64Array(4096)
    // Pass 1: how many documents hold each gram.
    // Sized for the grams expected (the last base's): growing it rehashes millions of keys in one stretch.
    const counts = new NumberMap(Math.ceil(expectedKeys * 1.25))
    let total = 0
    for (let d = 0; d < n; d++) {
      if ((d & 15) === 0 && slices?.due()) await slices.pause()
      const t = text(d)
      if (t === undefined) continue
      const g = distinctGrams(t, buffer)
      buffer = g.keys
      for (let i = 0; i < g.count; i++) counts.add(g.keys[i]!, 1)
      total += g.count
    }
    const keys = new Float64Array(counts.size)
    let k = 0
    for (let i = 0; i < counts.keys.length; i++) {
      if ((i & 4095) === 0 && slices?.due()) await slices.pause()
      if (counts.keys[i]! >= 0) keys[k++] = counts.keys[i]!
    }
    keys.sort()
    // Each key's start in a flat array of document numbers; the map now holds key → rank.
    const starts = new Uint32Array(keys.length + 1)
    for (let i = 0; i < keys.length; i++) {
      if ((i & 255) === 0 && slices?.due()) await slices.pause()
      const slot = counts.slot(keys[i]!)
      starts[i + 1] = starts[i]! + counts.values[slot]!
      counts.values[slot] = i
    }
    const cursor = starts.slice(0, keys.length)
    const flat = new Uint32Array(total)
    // Pass 2: fill. Documents come in order, so every list is ascending.
    for (let d = 0; d < n; d++) {
      if ((d & 15) === 0 && slices?.due()) await slices.pause()
      const t = text(d)
      if (t === undefined) continue
      const g = distinctGrams(t, buffer)
      buffer = g.keys
      for (let i = 0; i < g.count; i++) flat[cursor[counts.values[counts.slot(g.keys[i]!)]!]!++] = d
    }
    // Gaps as varints.
    let bytes = new Uint8Array(Math.max(16, Math.ceil(total * 1.6)))
    const offsets = new Uint32Array(keys.length + 1)
    let at = 0
    for (let i = 0; i < keys.length; i++) {
      if ((i & 255) === 0 && slices?.due()) await slices.pause()
      offsets[i] = at
      let prev = 0
      for (let p = starts[i]!; p < starts[i + 1]!; p++) {
        if (at + 5 > bytes.length) {
          const grown = new Uint8Array(bytes.length * 2)
          grown.set(bytes)
          bytes = grown
        }
        at = putVarint(bytes, at, flat[p]! - prev)
        prev = flat[p]!
      }
    }
    offsets[keys.length] = at
    return { keys, offsets, bytes: bytes.slice(0, at), count: total }
  }
}

/** Whether the sorted list holds `docno` (binary search in both pieces). */
export function listHas(list: PostingList, docno: number): boolean {
  return indexIn(list.base, docno) >= 0 || (!!list.delta && indexIn(list.delta, docno) >= 0)
}

/** Documents in every list: the shortest list, filtered by the others. */
export function intersect(lists: PostingList[]): number[] {
  if (!lists.length) return []
  const sorted = [...lists].sort((a, b) => a.length - b.length)
  const first = sorted[0]!
  const out: number[] = []
  const rest = sorted.slice(1)
  const check = (d: number) => {
    for (const l of rest) if (!listHas(l, d)) return
    out.push(d)
  }
  for (let i = 0; i < first.base.length; i++) check(first.base[i]!)
  if (first.delta) for (const d of first.delta) check(d)
  return out
}
