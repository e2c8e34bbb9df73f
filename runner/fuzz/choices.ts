// The fuzzer's raw material: a scenario is a list of *choices*, small records of
// small natural numbers that runner/fuzz/materialize.ts interprets against the
// scope it tracks (live processes, bound regions, the arena). Every choice list
// materialises into a valid scenario, so shrinking can drop or simplify choices
// freely (0 is always the simplest reading of a number) and stay valid.
import fc from 'fast-check';

/** Statement kinds, in shrink order: a smaller index is a simpler statement. */
export const OPS = [
  'map', 'write', 'read', 'mlock', 'munlock', 'mlock2', 'mlockall', 'munlockall', 'munmap', 'mprotect', 'mremap',
  'madvise', 'msync', 'brk', 'rlimit', 'cap', 'fork', 'exec', 'exit', 'truncate', 'grow_stack', 'access', 'shm',
] as const;
export type OpName = (typeof OPS)[number];

/** Relative frequency of each kind in generated scenarios. */
const WEIGHTS: Record<OpName, number> = {
  map: 14, write: 8, read: 3, mlock: 9, munlock: 6, mlock2: 7, mlockall: 5, munlockall: 3, munmap: 5, mprotect: 6,
  mremap: 7, madvise: 8, msync: 2, brk: 2, rlimit: 4, cap: 3, fork: 4, exec: 1, exit: 1, truncate: 1,
  // Not generated: the stack's size after it depends on how deep the executor's own stack is at that moment.
  grow_stack: 0,
  access: 2,
  // System V shm: attach a new segment into the arena, or detach / remove one (never SHM_LOCK: its charge
  // is per user, shared by the scenarios the fuzzer runs side by side).
  shm: 3,
};

export interface Choice {
  /** Index into OPS. */
  op: number;
  /** Which live process runs it (modulo the live ones; 0: the last one forked or main). */
  p: number;
  /** Which region (modulo the bound ones; 0: the most recent). */
  r: number;
  /** Free numbers, each read modulo what the statement needs; 0 is the simplest reading. */
  a: number;
  b: number;
  c: number;
  f: number;
  /** Op-specific parameter (advice, prot, flags word …). */
  g: number;
}

const small = fc.nat({ max: 1023 });

/** One choice; the op index is drawn by weight but stored as OPS index so it shrinks toward `map`. */
export const choiceArb: fc.Arbitrary<Choice> = fc.record({
  op: fc.oneof(...OPS.flatMap((name, i) => (WEIGHTS[name] > 0 ? [{ arbitrary: fc.constant(i), weight: WEIGHTS[name] }] : []))),
  p: fc.nat({ max: 7 }),
  r: fc.nat({ max: 15 }),
  a: small,
  b: small,
  c: small,
  f: small,
  g: small,
});

export const MAX_CHOICES = 24;

export const choicesArb: fc.Arbitrary<Choice[]> = fc.array(choiceArb, { minLength: 1, maxLength: MAX_CHOICES, size: 'max' });

/** 32-bit mix of (seed, chunk) so chunks of a run are independent yet reproducible. */
function chunkSeed(seed: number, chunk: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (chunk + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) | 0;
}

export const CHUNK = 256;

/** Scenario number `index` of the run seeded by `seed`: the same pair always gives the same choices. */
export class ChoiceStream {
  private chunk = -1;
  private cache: Choice[][] = [];
  constructor(readonly seed: number) {}

  at(index: number): Choice[] {
    const c = Math.floor(index / CHUNK);
    if (c !== this.chunk) {
      this.cache = fc.sample(choicesArb, { seed: chunkSeed(this.seed, c), numRuns: CHUNK });
      this.chunk = c;
    }
    return this.cache[index % CHUNK]!;
  }
}
