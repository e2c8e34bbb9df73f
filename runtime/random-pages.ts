// SPEC.md §3.7: the xorshift64* page picker of `access ... random`. The host
// executor draws the same sequence, so both targets touch the same pages.
//
// The reference is BigInt arithmetic (randomPagesBig). Scenarios draw millions
// of pages, and a BigInt step allocates several BigInts, so the common case runs
// the same 64-bit arithmetic on 32-bit halves held in plain numbers: exact
// whenever pages <= 2^36 (every page count of a 47-bit address space), checked
// against the BigInt reference in test/runtime/random-pages.test.ts.

const M64 = (1n << 64n) - 1n;
const MUL = 0x2545f4914f6cdd1dn;
const MUL_HI = 0x2545f491, MUL_LO = 0x4f6cdd1d;
const TWO32 = 2 ** 32;
/** Largest page count the number path handles: a < 2^36 keeps a * 2^16 + 2^32 below 2^53. */
const NUMBER_MAX_PAGES = 2n ** 36n;

const seedOf = (seed: bigint): bigint => (seed === 0n ? 0x9e3779b97f4a7c15n : seed & M64);

/** The reference: each draw in BigInt arithmetic. */
export function* randomPagesBig(pages: bigint, count: number, seed: bigint): Generator<bigint> {
  let x = seedOf(seed);
  for (let i = 0; i < count; i++) {
    x ^= x >> 12n; x ^= (x << 25n) & M64; x ^= x >> 27n;
    yield ((x * MUL) & M64) % pages;
  }
}

/** The same draws for 0 < pages <= 2^36, in numbers. */
function* randomPagesSmall(pagesBig: bigint, count: number, seed: bigint): Generator<number> {
  const x = seedOf(seed);
  let hi = Number(x >> 32n) | 0, lo = Number(x & 0xffffffffn) | 0;
  const p = Number(pagesBig);
  for (let i = 0; i < count; i++) {
    // x ^= x >> 12; x ^= x << 25; x ^= x >> 27 (64-bit, as two int32 halves)
    lo ^= (lo >>> 12) | (hi << 20); hi ^= hi >>> 12;
    hi ^= (hi << 25) | (lo >>> 7); lo ^= lo << 25;
    lo ^= (lo >>> 27) | (hi << 5); hi ^= hi >>> 27;
    // (x * MUL) mod 2^64: the full 64-bit lo * MUL_LO from 16-bit pieces, plus the cross terms mod 2^32.
    const l = lo >>> 0;
    const a0 = l & 0xffff, a1 = l >>> 16;
    const mid = a1 * (MUL_LO & 0xffff) + a0 * (MUL_LO >>> 16);
    const t = a0 * (MUL_LO & 0xffff) + (mid % 65536) * 65536;
    const rLo = t % TWO32;
    const rHi = (a1 * (MUL_LO >>> 16) + Math.floor(mid / 65536) + Math.floor(t / TWO32)
      + Math.imul(hi, MUL_LO) + Math.imul(lo, MUL_HI)) >>> 0;
    // (rHi * 2^32 + rLo) mod p in two 16-bit steps, every intermediate below 2^53.
    let r = rHi % p;
    r = (r * 65536) % p;
    yield (r * 65536 + rLo) % p;
  }
}

/** Page indexes in [0, pages) as numbers (exact for pages <= 2^53; above that, rounded like Number(bigint)). */
export function* randomPageNumbers(pages: bigint, count: number, seed: bigint): Generator<number> {
  if (pages > 0n && pages <= NUMBER_MAX_PAGES) { yield* randomPagesSmall(pages, count, seed); return; }
  for (const pg of randomPagesBig(pages, count, seed)) yield Number(pg);
}

/** Page indexes in [0, pages) as BigInts. */
export function* randomPages(pages: bigint, count: number, seed: bigint): Generator<bigint> {
  if (pages > 0n && pages <= NUMBER_MAX_PAGES) { for (const pg of randomPagesSmall(pages, count, seed)) yield BigInt(pg); return; }
  yield* randomPagesBig(pages, count, seed);
}
