// The random stream of a `repeat … seed s` block (SPEC.md §3.9): while one iteration of
// its body is lowered, `random(lo..hi)` atoms draw from here. A draw is remembered per
// atom for the iteration, so evaluating an expression twice gives one value; atoms draw
// in the order lowering first evaluates them (left to right, line by line), which is
// fixed, so a seed always expands to the same concrete IR on every target.
import type { RandomAtom } from './ast.js';

const MASK = (1n << 64n) - 1n;

/** xorshift64*, as `access … random` (§3.7): seed 0 is replaced by 0x9E3779B97F4A7C15. */
export class Xorshift64Star {
  private x: bigint;
  constructor(seed: bigint) { this.x = (seed & MASK) === 0n ? 0x9e3779b97f4a7c15n : seed & MASK; }
  next(): bigint {
    let x = this.x;
    x ^= x >> 12n;
    x = (x ^ (x << 25n)) & MASK;
    x ^= x >> 27n;
    this.x = x;
    return (x * 0x2545f4914f6cdd1dn) & MASK;
  }
}

export interface DrawContext {
  rng: Xorshift64Star;
  /** This iteration's value of each atom drawn so far. */
  drawn: Map<RandomAtom, bigint>;
}

let current: DrawContext | null = null;

export function currentDraws(): DrawContext | null { return current; }

/** Run `fn` with `ctx` as the stream `random(…)` draws from (null: outside any repeat). */
export function withDraws<T>(ctx: DrawContext | null, fn: () => T): T {
  const prev = current;
  current = ctx;
  try { return fn(); } finally { current = prev; }
}
