// SPEC.md §3.7 page picker: the number path (32-bit halves) draws exactly the
// pages of the BigInt reference, for page counts up to 2^36 and past it.
import t from 'tap';
import fc from 'fast-check';
import { randomPageNumbers, randomPages, randomPagesBig } from '../../runtime/random-pages.js';

const same = (pages: bigint, count: number, seed: bigint): string | null => {
  const want = [...randomPagesBig(pages, count, seed)];
  const nums = [...randomPageNumbers(pages, count, seed)];
  const bigs = [...randomPages(pages, count, seed)];
  for (let i = 0; i < count; i++) {
    if (nums[i] !== Number(want[i]) || bigs[i] !== want[i]) return `pages ${pages} seed ${seed} draw ${i}: ${want[i]} vs ${nums[i]} / ${bigs[i]}`;
  }
  return null;
};

t.test('edge page counts and seeds', async (t) => {
  const counts = [1n, 2n, 3n, 4096n, 1n << 28n, 1310720n, 0xffffffffn, 1n << 32n, (1n << 32n) + 1n, (1n << 36n) - 1n, 1n << 36n, (1n << 36n) + 1n, 1n << 47n, 1n << 64n];
  const seeds = [0n, 1n, 42n, 0x9e3779b97f4a7c15n, (1n << 64n) - 1n, 1n << 63n, (1n << 70n) + 5n];
  for (const p of counts) for (const s of seeds) t.equal(same(p, 2000, s), null, `pages ${p}, seed ${s}`);
});

t.test('random page counts and seeds', async (t) => {
  fc.assert(fc.property(fc.bigInt({ min: 1n, max: 1n << 40n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (p, s) => same(p, 300, s) === null), { numRuns: 300 });
  t.pass('300 random (pages, seed) pairs');
});

t.test('zero pages is a range error, as in the reference', async (t) => {
  t.throws(() => [...randomPageNumbers(0n, 1, 1n)], RangeError);
  t.throws(() => [...randomPages(0n, 1, 1n)], RangeError);
});
