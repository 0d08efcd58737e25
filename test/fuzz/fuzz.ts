/**
 * @module fuzz
 * What the fuzz suite shares (issue 15): inputs a peer or a file could send — arbitrary bytes,
 * valid messages with bytes flipped, cut or added, length prefixes blown up, endless varints,
 * JSON with a field swapped for something hostile — and the run parameters.
 *
 * Every property runs with a fixed seed (so a failure is the same on every machine) and a small
 * number of runs (the suite shares two cores). fast-check prints the seed and the path of a
 * failing case; replay it with `FUZZ_SEED=<seed> FUZZ_PATH=<path>`, or widen a run with
 * `FUZZ_RUNS=5000` (and another `FUZZ_SEED`, and vitest's `--testTimeout=0`) when hunting.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(mutatedBytes(valid), (bytes) => { decode(bytes) }), fuzzParams(200))
 * ```
 */
import fc from 'fast-check'

export { fc }

/** Seed 15 (the issue) unless `FUZZ_SEED` says otherwise; `numRuns` unless `FUZZ_RUNS` does. */
export function fuzzParams<T>(numRuns: number): fc.Parameters<T> {
  const path = process.env.FUZZ_PATH
  return {
    seed: Number(process.env.FUZZ_SEED ?? 15),
    numRuns: Number(process.env.FUZZ_RUNS ?? numRuns),
    ...(path ? { path } : {}),
    // One input that takes this long has found a hang (asynchronous properties only; a
    // synchronous loop is caught by the test's own timeout).
    timeout: 10_000,
  }
}

/** An unsigned LEB128 varint (lib0's and libp2p's length prefix). */
export function varint(n: number): Uint8Array {
  const out: number[] = []
  let v = n
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return Uint8Array.from(out)
}

/** Length prefixes and varints that hurt: ~4 GiB, 2^53, endless continuation bytes. */
export const hostileVarints: Uint8Array[] = [
  varint(0xffff_ffff),
  varint(2 ** 53 - 1),
  varint(2 ** 31),
  new Uint8Array(12).fill(0xff),
  new Uint8Array(64).fill(0x80),
  Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
]

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'duplicate'; at: number; length: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    op: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x2c, 0x22),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.constantFrom(...hostileVarints)),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
)

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.byteLength
  const at = n ? m.at % (n + 1) : 0
  const cat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0))
    let o = 0
    for (const p of parts) out.set(p, (o += p.byteLength) - p.byteLength)
    return out
  }
  switch (m.op) {
    case 'flip':
      if (at >= n) return bytes
      return cat(bytes.subarray(0, at), Uint8Array.of(bytes[at]! ^ (1 << m.bit)), bytes.subarray(at + 1))
    case 'set':
      if (at >= n) return bytes
      return cat(bytes.subarray(0, at), Uint8Array.of(m.value), bytes.subarray(at + 1))
    case 'truncate':
      return bytes.subarray(0, at)
    case 'insert':
      return cat(bytes.subarray(0, at), m.bytes, bytes.subarray(at))
    case 'delete':
      return cat(bytes.subarray(0, at), bytes.subarray(at + m.length))
    case 'duplicate':
      return cat(bytes.subarray(0, at + m.length), bytes.subarray(at))
  }
}

/**
 * Valid messages made wrong: one to four flips, truncations, insertions (random bytes or a
 * hostile varint), deletions and duplications, anywhere; now and then the valid message itself.
 */
export function mutatedBytes(valid: Uint8Array | Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const base = Array.isArray(valid) ? fc.constantFrom(...valid) : fc.constant(valid)
  return fc.tuple(base, fc.array(mutation, { minLength: 0, maxLength: 4 })).map(([b, ms]) => ms.reduce(apply, b))
}

/** Any bytes at all, and valid messages made wrong. */
export function hostileBytes(valid: Uint8Array | Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { arbitrary: mutatedBytes(valid), weight: 3 },
    { arbitrary: fc.uint8Array({ maxLength: 256 }), weight: 1 },
    { arbitrary: fc.constantFrom(...hostileVarints), weight: 1 },
  )
}

const deep = (n: number, open: string, close: string) => open.repeat(n) + '1' + close.repeat(n)

/** JSON texts that have broken parsers and the code after them. */
export const hostileJsonTexts: string[] = [
  deep(100_000, '[', ']'),
  deep(100_000, '{"a":', '}'),
  '"\\ud800"',
  '{"__proto__":{"ok":true},"constructor":{"prototype":{}}}',
  '1e400',
  '-0',
  '[' + '1,'.repeat(200_000) + '1]',
  '"' + 'x'.repeat(1_000_000) + '"',
  '\ufeff{}',
  '{"a":1,"a":2}',
]

/** A deep value that fast-check prints by name (printing it whole overflows its stack too). */
function labelled<T extends object>(value: T, label: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => label, enumerable: false })
  return value
}

/** JSON values that are valid JSON and wrong everywhere else. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>(
    -1,
    0,
    1.5,
    2 ** 53,
    2 ** 64,
    -(2 ** 63),
    1e308,
    Number.MIN_VALUE,
    '',
    '\ud800',
    'a\u0000b',
    '../../db/CURRENT',
    'x'.repeat(100_000),
    [],
    {},
    null,
    true,
    Array.from({ length: 10_000 }, (_, i) => i),
    labelled(JSON.parse(deep(5_000, '[', ']')) as object, '<5000 nested arrays>'),
    labelled(JSON.parse(deep(5_000, '{"a":', '}')) as object, '<5000 nested objects>'),
    JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  ),
)

type Path = Array<string | number>

function paths(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix)
  if (prefix.length > 6 || out.length > 200) return out
  if (Array.isArray(v)) v.slice(0, 8).forEach((x, i) => paths(x, [...prefix, i], out))
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out)
  return out
}

function replaceAt(v: unknown, path: Path, make: (old: unknown) => unknown): unknown {
  if (!path.length) return make(v)
  const [head, ...rest] = path
  if (Array.isArray(v)) return v.map((x, i) => (i === head ? replaceAt(x, rest, make) : x))
  const o = v as Record<string, unknown>
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, k === head ? replaceAt(x, rest, make) : x]))
}

/**
 * Valid messages (one of `bases`) with one to three fields swapped for {@link hostileValue}, removed, or given
 * an extra sibling; the shape stays close enough to valid to get past the first checks.
 */
export function mutatedJson(bases: unknown[]): fc.Arbitrary<unknown> {
  const edit = fc.record({
    pick: fc.nat(),
    kind: fc.constantFrom('replace', 'remove', 'add'),
    value: hostileValue,
    key: fc.constantFrom('extra', '__proto__', 'ok', 'have', 'sha256'),
  })
  return fc.tuple(fc.constantFrom(...bases), fc.array(edit, { minLength: 1, maxLength: 3 })).map(([b, edits]) =>
    edits.reduce<unknown>((v, e) => {
      const all = paths(v)
      const path = all[e.pick % all.length]!
      if (e.kind === 'replace') return replaceAt(v, path, () => e.value)
      if (e.kind === 'remove' && path.length) {
        const key = path.at(-1)
        return replaceAt(v, path.slice(0, -1), (parent) =>
          Array.isArray(parent)
            ? parent.filter((_, i) => i !== key)
            : Object.fromEntries(Object.entries(parent as object).filter(([k]) => k !== key)),
        )
      }
      return replaceAt(v, path, (old) =>
        old && typeof old === 'object' && !Array.isArray(old) ? { ...old, [e.key]: e.value } : old,
      )
    }, b),
  )
}

/** {@link mutatedJson} as UTF-8 bytes, byte-mutated again now and then, plus the hostile texts. */
export function hostileJsonBytes(bases: unknown[]): fc.Arbitrary<Uint8Array> {
  const enc = (v: unknown) => {
    try {
      return new TextEncoder().encode(JSON.stringify(v))
    } catch {
      // Too deep even for JSON.stringify here: the nesting alone, as text.
      return new TextEncoder().encode(hostileJsonTexts[0])
    }
  }
  const validBytes = bases.map(enc)
  return fc.oneof(
    { arbitrary: mutatedJson(bases).map(enc), weight: 4 },
    { arbitrary: mutatedBytes(validBytes), weight: 3 },
    { arbitrary: fc.constantFrom(...hostileJsonTexts).map((t) => new TextEncoder().encode(t)), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 1 },
  )
}

/** Every key and value of a LevelDB (or sublevel), to compare before and after a refused input. */
export async function dumpLevel(db: { iterator(): AsyncIterable<[unknown, unknown]> }): Promise<string[]> {
  const out: string[] = []
  for await (const [k, v] of db.iterator()) out.push(`${String(k)} = ${typeof v === 'string' ? v : JSON.stringify(v)}`)
  return out
}
