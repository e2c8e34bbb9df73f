// The statements one program may take next, given what the program did so
// far (regions bound in each process, their lengths as the compiler knows
// them). Each candidate comes with its IR step (built once, shared by every
// program that uses it), its magnitude and a sort key for the commuting rule.
// Regions are named a, b, c … in order of creation and children kid, kid2 …
// in order of fork, so a program has exactly one spelling up to renaming.
import type { Len, ResultExpect } from '../../schema/generated/types.js';
import type { CallStep } from '../ir.js';
import type { Alphabet, RangeCall } from './alphabet.js';

export const PAGE = 4096;
export const EXPLORE_FILE = 'explore.mls';
/** The first statement's line in the printed witness (scenario line, blank line, then statements). */
export const FIRST_LINE = 3;

export interface RegionState {
  id: number;
  /** Pages the region certainly has on every profile (ranges stay inside them: host safety). */
  minLen: number;
  /** The compiler knows the length (a bare range is in bytes), until an mremap of the region. */
  known: boolean;
}

export interface ProcState {
  name: string;
  regions: RegionState[];
  /** CAP_IPC_LOCK was dropped from the effective set (a second drop changes nothing; exec may raise it again). */
  capDropped?: boolean;
}

export interface ProgramState {
  procs: ProcState[];
  regions: number;
  children: number;
  /** A statement that locks or pins ran: munlock, munpin and munlockall can change state from now on. */
  locked: boolean;
  /** A limit or capability changed: lock calls on different regions no longer commute (one may hit the limit). */
  limited: boolean;
  /** Something was unmapped or remapped: a later mapping may land inside a region's range, so regions can overlap. */
  holes: boolean;
}

export type StmtKind = 'mmap' | RangeCall | 'mremap' | 'mlockall' | 'munlockall' | 'setrlimit' | 'cap' | 'fork' | 'exec';
/** Kind order: the order candidates are tried in at equal magnitude. */
export const KIND_ORDER: readonly StmtKind[] = ['mmap', 'write', 'read', 'mlock', 'mlock2_onfault', 'munlock', 'munmap', 'mprotect_r',
  'mprotect_none', 'madvise_dontneed', 'mpin', 'munpin', 'mremap', 'mlockall', 'munlockall', 'setrlimit', 'cap', 'fork', 'exec'];
const KIND_INDEX = new Map(KIND_ORDER.map((k, i) => [k, i]));

export interface Candidate {
  kind: StmtKind;
  proc: number;
  /** The region the statement works on (-1: none). */
  region: number;
  /** The IR step (its line is set when a program is run: runner/explore/run.ts). */
  step: CallStep;
  magnitude: number;
  /** [proc, region, kind, args…]: the commuting rule keeps independent neighbours in ascending key order. */
  key: number[];
  /** Unique among the candidates of one state: programs are identified by the ids of their statements. */
  id: string;
  /** This statement cannot change state here (it may only end a program: its result is all it shows). */
  noop: boolean;
  next: (s: ProgramState) => ProgramState;
}

const ANY: ResultExpect = { default: { kind: 'any' }, cases: [] };
const NO_LOC = { file: EXPLORE_FILE, line: 0, column: 1 };
const bytes = (pages: number): Len => ({ bytes: String(pages * PAGE) });
export const regionName = (id: number): string => (id < 26 ? String.fromCharCode(97 + id) : `r${id}`);
export const childName = (n: number): string => (n === 1 ? 'kid' : `kid${n}`);

export function initialState(): ProgramState {
  return { procs: [{ name: 'main', regions: [] }], regions: 0, children: 0, locked: false, limited: false, holes: false };
}

const withProc = (s: ProgramState, p: number, f: (x: ProcState) => ProcState, extra: Partial<ProgramState> = {}): ProgramState =>
  ({ ...s, ...extra, procs: s.procs.map((x, i) => (i === p ? f(x) : x)) });

/**
 * Calls whose order on disjoint regions of one process does not matter: page touches only. Calls that change
 * VMA flags do not commute even on different regions: neighbouring regions merge and split, and the flags a
 * merged VMA ends with depend on the order (mprotect a none, munlock b differs from the reverse when b lies
 * right below a: test/explore/pruning.test.ts found it).
 */
const COMMUTING = new Set<StmtKind>(['write', 'read']);
const LOCKING = new Set<StmtKind>(['mlock', 'mlock2_onfault', 'mpin', 'mlockall']);
const UNLOCKING = new Set<StmtKind>(['munlock', 'munpin', 'munlockall']);
const PER_PROCESS = new Set<StmtKind>(['fork', 'exec']);

/**
 * Two neighbouring statements that give the same observations in either order. Validated against every
 * registered profile by test/runner/explore/pruning.test.ts.
 */
export function independent(a: Candidate, b: Candidate, before: ProgramState): boolean {
  if (a.proc !== b.proc) return !PER_PROCESS.has(a.kind) && !PER_PROCESS.has(b.kind);
  return a.region >= 0 && b.region >= 0 && a.region !== b.region && COMMUTING.has(a.kind) && COMMUTING.has(b.kind) && !before.limited && !before.holes;
}

export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Every statement the alphabet allows after state `s`, in the order they are tried at equal magnitude.
 * Steps carry no line (runner/explore/run.ts places them).
 */
export function candidates(s: ProgramState, a: Alphabet): Candidate[] {
  const out: Candidate[] = [];
  s.procs.forEach((p, pi) => {
    const proc = p.name;
    const push = (kind: StmtKind, region: number, step: () => Record<string, unknown>, magnitude: number, args: number[], next: Candidate['next'], noop = false): void => {
      const key = [pi, region, KIND_INDEX.get(kind)!, ...args];
      out.push({ kind, proc: pi, region, step: { ...step(), loc: NO_LOC, proc, result: ANY } as unknown as CallStep, magnitude, key, id: key.join('.'), noop, next });
    };
    // mmap: a new region.
    if (s.regions < a.maxRegions) {
      const id = s.regions;
      const bind = regionName(id);
      a.mapPages.forEach((pages, i) => a.mapProts.forEach((prot, j) => a.mapShares.forEach((share, k) => a.mapFlags.forEach((flags, l) => {
        push('mmap', -1, () => ({ op: 'mmap', bind, len: bytes(pages), prot, share, flags: [...flags] }), i + j + k + l, [i, j, k, l], (st) =>
          withProc(st, pi, (x) => ({ ...x, regions: [...x.regions, { id, minLen: pages, known: true }] }), { regions: st.regions + 1, locked: st.locked || flags.includes('locked') }));
      }))));
    }
    for (const r of p.regions) {
      const name = regionName(r.id);
      const whole: Len = r.known ? bytes(r.minLen) : { regionLen: name };
      const at = (off: number) => ({ region: name, offset: String(off * PAGE) });
      a.rangeCalls.forEach((call) => {
        const touch = call === 'write' || call === 'read';
        const noop = UNLOCKING.has(call) && !s.locked;
        const after = (st: ProgramState): ProgramState => ({ ...st, locked: st.locked || LOCKING.has(call), holes: st.holes || call === 'munmap' });
        const ranges: { off: number; len: number | undefined; mag: number }[] = touch ? [] : [{ off: 0, len: undefined, mag: 0 }];
        for (let off = 0; off < r.minLen; off++) {
          for (let len = 1; off + len <= r.minLen; len++) {
            if (!touch && off === 0 && len === r.minLen && r.known) continue; // the bare form says it
            ranges.push({ off, len, mag: touch ? off + len - 1 : off + len });
          }
        }
        for (const g of ranges) {
          const range = { addr: at(g.off), len: g.len === undefined ? whole : bytes(g.len) };
          push(call, r.id, () => stepOf(call, range), g.mag, [g.off, g.len ?? 0], after, noop);
        }
      });
      // mremap of the whole region: grow, shrink, or (dontunmap) move keeping the length.
      a.mremapFlags.forEach((flags, fi) => {
        const sizes: { to: number; mag: number }[] = [];
        if (flags.includes('dontunmap')) sizes.push({ to: r.minLen, mag: fi });
        else {
          a.mremapGrow.forEach((g, gi) => sizes.push({ to: r.minLen + g, mag: fi + gi + 1 }));
          for (let to = r.minLen - 1; to >= 1; to--) sizes.push({ to, mag: fi + r.minLen - to });
        }
        for (const { to, mag } of sizes) {
          push('mremap', r.id, () => ({ op: 'mremap', addr: at(0), oldLen: whole, newLen: bytes(to), flags: [...flags] }), mag, [fi, to], (st) =>
            withProc(st, pi, (x) => ({ ...x, regions: x.regions.map((y) => (y.id === r.id ? { id: y.id, minLen: Math.min(y.minLen, to), known: false } : y)) }), { holes: true }));
        }
      });
    }
    a.mlockallFlags.forEach((flags, i) => push('mlockall', -1, () => ({ op: 'mlockall', flags: String(flags) }), i, [i], (st) => ({ ...st, locked: true })));
    if (a.munlockall) push('munlockall', -1, () => ({ op: 'munlockall' }), 0, [], (st) => st, !s.locked);
    a.rlimitPages.forEach((pages, i) => push('setrlimit', -1, () => ({ op: 'setrlimit', resource: 'memlock', soft: String(pages * PAGE), hard: String(pages * PAGE) }), i, [i], (st) => ({ ...st, limited: true })));
    if (a.capDrop) {
      push('cap', -1, () => ({ op: 'cap', action: 'drop', cap: 'ipc_lock' }), 0, [], (st) => withProc(st, pi, (x) => ({ ...x, capDropped: true }), { limited: true }), p.capDropped === true);
    }
    if (a.fork && s.procs.length < a.maxProcs) {
      const child = childName(s.children + 1);
      push('fork', -1, () => ({ op: 'fork', child }), 0, [], (st) => ({ ...st, children: st.children + 1, procs: [...st.procs, { ...st.procs[pi]!, name: child }] }));
    }
    if (a.exec) push('exec', -1, () => ({ op: 'exec' }), 0, [], (st) => withProc(st, pi, (x) => ({ name: x.name, regions: [] })));
  });
  return out;
}

function stepOf(call: RangeCall, range: { addr: unknown; len: Len }): Record<string, unknown> {
  switch (call) {
    case 'write': case 'read': case 'mlock': case 'munlock': case 'munmap': case 'mpin': case 'munpin':
      return { op: call, ...range };
    case 'mlock2_onfault': return { op: 'mlock2', ...range, flags: '1' };
    case 'mprotect_r': return { op: 'mprotect', ...range, prot: 'r--' };
    case 'mprotect_none': return { op: 'mprotect', ...range, prot: '---' };
    case 'madvise_dontneed': return { op: 'madvise', ...range, advice: 4, adviceName: 'dontneed' };
  }
}
