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
  // Appended, so the older kinds keep their indexes (and saved choice lists their meaning).
  'user', 'every_mapping', 'page_flags',
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
  // Become nobody or uid 1000 (with or without CAP_IPC_LOCK): later locks meet RLIMIT_MEMLOCK.
  user: 1,
  // mlock / munlock / mlock2 of every line of /proc/self/maps (LTP mlock03).
  every_mapping: 1,
  // `expect <region> mlocked_map`: the region's PG_mlocked / PG_unevictable pages, compared like residency.
  page_flags: 2,
};

/**
 * Weights of the page-state scenarios (one in four): mappings, accesses and madvise, few locks. A VM_LOCKED
 * VMA refuses MADV_FREE, MADV_COLD and MADV_PAGEOUT, and with WEIGHTS most written pages end up locked (half
 * the mappings are MAP_LOCKED, and mlock, mlock2, mlockall are a sixth of the calls), so sequences such as
 * write, MADV_FREE, MADV_PAGEOUT, read back were almost never generated (none in 300,000 scenarios).
 */
const PAGE_WEIGHTS: Record<OpName, number> = {
  map: 10, write: 10, read: 6, mlock: 2, munlock: 2, mlock2: 1, mlockall: 1, munlockall: 1, munmap: 2, mprotect: 3,
  mremap: 3, madvise: 16, msync: 2, brk: 1, rlimit: 1, cap: 1, fork: 4, exec: 1, exit: 2, truncate: 1, grow_stack: 0,
  access: 2, shm: 2, user: 1, every_mapping: 1, page_flags: 2,
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
function choiceArbOf(weights: Record<OpName, number>, f: fc.Arbitrary<number>, rMax = 15): fc.Arbitrary<Choice> {
  return fc.record({
    op: fc.oneof(...OPS.flatMap((name, i) => (weights[name] > 0 ? [{ arbitrary: fc.constant(i), weight: weights[name] }] : []))),
    p: fc.nat({ max: 7 }),
    r: fc.nat({ max: rMax }),
    a: small,
    b: small,
    c: small,
    f,
    g: small,
  });
}

export const choiceArb: fc.Arbitrary<Choice> = choiceArbOf(WEIGHTS, small);
/**
 * Page-state choices: MAP_LOCKED (bit 3 of f, runner/fuzz/materialize.ts) one mapping in eight, not one in
 * two, and calls mostly on the last few regions (r picks the most recent first), so they meet on the same pages.
 */
export const pageChoiceArb: fc.Arbitrary<Choice> = choiceArbOf(PAGE_WEIGHTS, small.map((f) => (f >> 8 === 0 ? f : f & ~8)), 3);

export const MAX_CHOICES = 24;

const arrayOf = (a: fc.Arbitrary<Choice>): fc.Arbitrary<Choice[]> => fc.array(a, { minLength: 1, maxLength: MAX_CHOICES, size: 'max' });
/** Three lock scenarios to one page-state scenario. */
export const choicesArb: fc.Arbitrary<Choice[]> = fc.oneof({ arbitrary: arrayOf(choiceArb), weight: 3 }, { arbitrary: arrayOf(pageChoiceArb), weight: 1 });

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
