/**
 * @module search/embedded/number-map
 * An open-addressing hash map from non-negative integers (up to 2^53) to uint32, in two typed
 * arrays: the gram dictionary of the embedded index. A JS Map of 1.5M number keys costs about
 * 80 MB and allocates a heap number per key; this costs 12 bytes a slot and allocates nothing.
 */
const EMPTY = -1

export class NumberMap {
  keys: Float64Array
  values: Uint32Array
  size = 0
  #bits: number

  constructor(capacity = 1024) {
    let n = 1024
    while (n < capacity * 2) n *= 2
    this.keys = new Float64Array(n).fill(EMPTY)
    this.values = new Uint32Array(n)
    this.#bits = Math.log2(n)
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  slot(key: number): number {
    const mask = this.keys.length - 1
    // Mix both halves (keys are up to 2^42), then Fibonacci hashing: the product's high bits.
    const lo = (key % 0x100000000) | 0
    const hi = Math.floor(key / 0x100000000) | 0
    const h = Math.imul(lo ^ Math.imul(hi ^ (lo >>> 15), 0x85ebca6b), 0x9e3779b1)
    let i = (h >>> (32 - this.#bits)) & mask
    while (true) {
      const k = this.keys[i]!
      if (k === key || k === EMPTY) return i
      i = (i + 1) & mask
    }
  }

  /** Adds `by` to the value of `key` (0 when absent). */
  add(key: number, by: number): void {
    let i = this.slot(key)
    if (this.keys[i] !== key) {
      if ((this.size + 1) * 2 > this.keys.length) {
        this.#grow()
        i = this.slot(key)
      }
      this.keys[i] = key
      this.values[i] = 0
      this.size++
    }
    this.values[i] = this.values[i]! + by
  }

  forEach(fn: (key: number, value: number, slot: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== EMPTY) fn(this.keys[i]!, this.values[i]!, i)
  }

  #grow(): void {
    const oldKeys = this.keys
    const oldValues = this.values
    this.keys = new Float64Array(oldKeys.length * 2).fill(EMPTY)
    this.values = new Uint32Array(oldKeys.length * 2)
    this.#bits++
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] === EMPTY) continue
      const j = this.slot(oldKeys[i]!)
      this.keys[j] = oldKeys[i]!
      this.values[j] = oldValues[i]!
    }
  }
}
