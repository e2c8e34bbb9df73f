// What the generator produced, seen from its side: for every generated call, the
// kinds of mapping and the page states in its range, as an abstract walk of the
// scenario's steps infers them (no target runs: results are not known, so every
// call is taken to succeed, except fixed_noreplace into the arena, which always
// fails). Counted per step: a call whose range holds dirty and lazyfree pages of
// one private anonymous mapping counts once for each pair. The point is to make
// gaps visible: a combination the kernel allows that the generator never reaches
// (madvise(pageout) of lazyfree pages went 300,000 scenarios unseen) shows as 0.
import type { Scenario } from '../../schema/generated/types.js';
import type { Step } from '../ir.js';
import { PAGE } from './materialize.js';

export const KINDS = ['anon private', 'anon THP', 'anon shared', 'file private', 'file shared', 'shm', 'memfd_secret', 'unmapped'] as const;
export type Kind = (typeof KINDS)[number];
/** untouched: no page yet; clean: resident, not written (read, read-populated, file cache); dirty: written;
 * lazyfree: written, then MADV_FREE (anon private only); locked: in a VM_LOCKED VMA (whatever else). */
export const STATES = ['untouched', 'clean', 'dirty', 'lazyfree', 'locked'] as const;
export type State = (typeof STATES)[number] | '-';
/** Mapping kinds the generator never creates (memfd_secret is a language statement the fuzzer does not use). */
export const NOT_GENERATED_KINDS: readonly Kind[] = ['memfd_secret'];

interface Pg { kind: Kind; prot: string; st: 'untouched' | 'clean' | 'dirty' | 'lazyfree'; locked: boolean }
interface Proc {
  regions: Map<string, { base: number; len: number }>;
  pages: Map<number, Pg>;
  future: 'off' | 'on' | 'onfault';
}

/** Where kernel-placed regions go in the abstract address space (pages): far apart, never in an arena. */
const REGION_SPACING = 1 << 20;

export function callName(st: Step): string {
  if (st.op === 'madvise') return `madvise(${st.adviceName ?? st.advice})`;
  return st.op;
}

const privAnon = (k: Kind | string): boolean => k === 'anon private' || k === 'anon THP';

/** Private anonymous pages of whole 512-page blocks inside a MADV_HUGEPAGE range: THP-eligible ('anon THP'). */
function thpBlocks(p: Proc, a: number, n: number): void {
  for (let b = Math.ceil(a / 512) * 512; b + 512 <= a + n; b += 512) {
    let all = true;
    for (let v = b; v < b + 512 && all; v++) all = p.pages.get(v)?.kind === 'anon private';
    if (all) for (let v = b; v < b + 512; v++) p.pages.get(v)!.kind = 'anon THP';
  }
}

const stateOf = (p: Pg | undefined): [Kind, State] => (p ? [p.kind, p.locked ? 'locked' : p.st] : ['unmapped', '-']);

/** Counts of `call|kind|state`. */
export class Coverage {
  readonly counts = new Map<string, number>();
  scenarios = 0;
  steps = 0;

  add(s: Scenario): void {
    this.scenarios++;
    walk(s, (call, pairs) => {
      this.steps++;
      for (const k of pairs) {
        const key = `${call}|${k}`;
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      }
    });
  }

  count(call: string, kind: Kind | '-', state: State): number { return this.counts.get(`${call}|${kind}|${state}`) ?? 0; }

  /** Calls seen (with their per-page combinations) or known to the generator. */
  calls(): string[] {
    const seen = new Set([...this.counts.keys()].map((k) => k.split('|')[0]!));
    for (const c of RANGE_CALLS) seen.add(c);
    return [...seen].sort();
  }

  /**
   * Zero-count combinations the kernel allows for a call on a range: every range call on every
   * generated kind in every state, lazyfree only for anonymous private memory.
   */
  gaps(): Array<{ call: string; kind: Kind; state: State }> {
    const out: Array<{ call: string; kind: Kind; state: State }> = [];
    for (const call of RANGE_CALLS) {
      for (const kind of KINDS) {
        if (kind === 'unmapped' || NOT_GENERATED_KINDS.includes(kind)) continue;
        for (const state of STATES) {
          if (state === 'lazyfree' && !privAnon(kind)) continue;
          if (this.count(call, kind, state) === 0) out.push({ call, kind, state });
        }
      }
    }
    return out;
  }

  toJSON(): object {
    const combos = [...this.counts].map(([k, n]) => { const [call, kind, state] = k.split('|'); return { call, kind, state, count: n }; })
      .sort((a, b) => (a.call! < b.call! ? -1 : a.call! > b.call! ? 1 : b.count - a.count));
    return {
      scenarios: this.scenarios, steps: this.steps, kinds: KINDS, states: STATES, notGeneratedKinds: NOT_GENERATED_KINDS,
      combinations: combos, zero: this.gaps(),
    };
  }

  /** The summary table: one row per call, one column per kind × state; then the possible combinations never generated. */
  format(): string {
    const cols: Array<[Kind, State]> = [];
    for (const kind of KINDS) {
      if (NOT_GENERATED_KINDS.includes(kind)) continue;
      if (kind === 'unmapped') { cols.push([kind, '-']); continue; }
      for (const st of STATES) if (st !== 'lazyfree' || privAnon(kind)) cols.push([kind, st]);
    }
    const short: Record<string, string> = { 'anon private': 'ap', 'anon THP': 'thp', 'anon shared': 'as', 'file private': 'fp', 'file shared': 'fs', shm: 'shm', unmapped: 'hole' };
    const stShort: Record<string, string> = { untouched: 'u', clean: 'c', dirty: 'd', lazyfree: 'lf', locked: 'lk', '-': '' };
    const head = cols.map(([k, s]) => `${short[k]}${stShort[s] ? ':' + stShort[s] : ''}`);
    const calls = this.calls().filter((c) => RANGE_CALLS.includes(c) || this.count(c, 'unmapped', '-') > 0 || cols.some(([k, s]) => this.count(c, k, s) > 0));
    const w0 = Math.max(4, ...calls.map((c) => c.length));
    const cells = (c: string): string[] => cols.map(([k, s]) => String(this.count(c, k, s)));
    const widths = head.map((h, i) => Math.max(h.length, ...calls.map((c) => cells(c)[i]!.length)));
    const line = (a: string, xs: string[]): string => `${a.padEnd(w0)}  ${xs.map((x, i) => x.padStart(widths[i]!)).join(' ')}`;
    const out = [
      `coverage: ${this.scenarios} scenarios, ${this.steps} steps; steps per call × mapping kind × page state (as generated, every call assumed to succeed)`,
      `  kinds: ap anon private, thp anon private in a whole MADV_HUGEPAGE 2 MiB block, as anon shared, fp file private, fs file shared, shm System V shm, hole unmapped; states: u untouched, c clean, d dirty, lf lazyfree (MADV_FREE), lk locked`,
      `  not generated at all: ${NOT_GENERATED_KINDS.join(', ')}`,
      line('call', head),
      ...calls.map((c) => line(c, cells(c))),
    ];
    const gaps = this.gaps();
    const byCall = new Map<string, string[]>();
    for (const g of gaps) {
      const l = byCall.get(g.call) ?? [];
      l.push(`${short[g.kind]}:${stShort[g.state]}`);
      byCall.set(g.call, l);
    }
    out.push(`possible but never generated: ${gaps.length} combination${gaps.length === 1 ? '' : 's'}`);
    for (const [c, l] of byCall) out.push(`  ${c}: ${l.join(' ')}`);
    return out.join('\n') + '\n';
  }
}

/** Calls with a range of pages (or an attach address): the ones classified by kind and state. */
export const RANGE_CALLS: readonly string[] = [
  'mmap', 'read', 'write', 'access', 'mlock', 'munlock', 'mlock2', 'munmap', 'mprotect', 'mremap', 'msync', 'shmat',
  ...['dontneed', 'dontneed_locked', 'willneed', 'populate_read', 'populate_write', 'dontfork', 'dofork', 'wipeonfork',
    'keeponfork', 'free', 'remove', 'normal', 'random', 'sequential', 'cold', 'pageout', 'guard_install', 'guard_remove',
    'hugepage', 'nohugepage'].map((a) => `madvise(${a})`),
];

const pagesOf = (bytes: string | number): number => Math.ceil(Number(bytes) / PAGE);

/** Walk the steps, calling fn(call, distinct "kind|state" pairs of the pages the call touches). */
export function walk(s: Scenario, fn: (call: string, pairs: Set<string>) => void): void {
  const procs = new Map<string, Proc>();
  procs.set('main', { regions: new Map(), pages: new Map(), future: 'off' });
  const segSize = new Map<string, number>();
  let nextBase = 0;
  const fresh = (): number => (nextBase += REGION_SPACING);

  for (const st of s.steps) {
    if (st.op === 'expect') continue;
    const p = procs.get(st.proc);
    if (!p) continue;
    const call = callName(st);
    const pairs = new Set<string>();
    const addr = (a: { region?: string; offset?: string } | undefined): number | undefined => {
      if (!a?.region) return undefined;
      const r = p.regions.get(a.region);
      return r ? r.base + Math.floor(Number(a.offset ?? 0) / PAGE) : undefined;
    };
    const lenPages = (l: { bytes?: string; regionLen?: string } | undefined, start: number, addrOff = 0): number => {
      if (!l) return 0;
      if (l.bytes !== undefined) {
        // Wrapping lengths (mlock of SIZE_MAX…): the walk looks at what is mapped from start on.
        const n = Number(l.bytes);
        return n > 2 ** 40 ? 1100 : Math.ceil((addrOff % PAGE + n) / PAGE);
      }
      return l.regionLen ? (p.regions.get(l.regionLen)?.len ?? 0) : 0;
    };
    const each = (start: number | undefined, n: number, f?: (vpn: number, pg: Pg | undefined) => void): void => {
      if (start === undefined) return;
      for (let v = start; v < start + n; v++) {
        const pg = p.pages.get(v);
        const [k, sst] = stateOf(pg);
        pairs.add(`${k}|${sst}`);
        f?.(v, pg);
      }
    };
    const populate = (pg: Pg, write: boolean): void => {
      if (pg.prot === '---' || (!pg.prot.includes('r') && !pg.prot.includes('w'))) return;
      if (write && pg.prot.includes('w') && (privAnon(pg.kind) || pg.kind === 'file private')) pg.st = 'dirty';
      else if (write && pg.prot.includes('w')) pg.st = 'dirty';
      else if (pg.st === 'untouched') pg.st = 'clean';
    };
    const lockPopulate = (pg: Pg): void => {
      // populate_vma_page_range: write faults for private writable VMAs (cancels a lazy free), else read.
      populate(pg, pg.prot.includes('w') && (privAnon(pg.kind) || pg.kind === 'file private'));
    };
    const off = (a: { offset?: string } | undefined): number => Number(a?.offset ?? 0) % PAGE;

    switch (st.op) {
      case 'mmap': {
        const n = pagesOf(st.len.bytes ?? 0);
        const kind: Kind = st.file ? (st.share === 'shared' ? 'file shared' : 'file private') : st.share === 'shared' ? 'anon shared' : 'anon private';
        const flags = st.flags ?? [];
        let start: number;
        if (st.at) {
          const a = addr(st.at);
          if (a === undefined) break;
          start = a;
          each(start, n);
          if (flags.includes('fixed_noreplace')) break; // the arena is always there: EEXIST
        } else {
          start = fresh();
          pairs.add('unmapped|-');
        }
        if (st.bind) p.regions.set(st.bind, { base: start, len: n });
        const locked = flags.includes('locked') || p.future !== 'off';
        for (let v = start; v < start + n; v++) {
          const pg: Pg = { kind, prot: st.prot, st: 'untouched', locked };
          if (flags.includes('populate') || (locked && p.future !== 'onfault')) lockPopulate(pg);
          p.pages.set(v, pg);
        }
        break;
      }
      case 'read': case 'write': {
        const a = addr(st.addr);
        each(a, lenPages(st.len, a ?? 0, off(st.addr)), (_v, pg) => { if (pg) populate(pg, st.op === 'write'); });
        break;
      }
      case 'access': { const a = addr(st.addr); each(a, lenPages(st.len, a ?? 0)); break; }
      case 'mlock': case 'mlock2': {
        const onfault = st.op === 'mlock2' && (Number(st.flags) & 1) === 1;
        const a = addr(st.addr);
        each(a, lenPages(st.len, a ?? 0, off(st.addr)), (_v, pg) => { if (pg) { pg.locked = true; if (!onfault) lockPopulate(pg); } });
        break;
      }
      case 'munlock': { const a = addr(st.addr); each(a, lenPages(st.len, a ?? 0, off(st.addr)), (_v, pg) => { if (pg) pg.locked = false; }); break; }
      case 'munmap': { const a = addr(st.addr); each(a, lenPages(st.len, a ?? 0, off(st.addr)), (v) => p.pages.delete(v)); break; }
      case 'mprotect': { const a = addr(st.addr); each(a, lenPages(st.len, a ?? 0, off(st.addr)), (_v, pg) => { if (pg) pg.prot = st.prot; }); break; }
      case 'msync': { const a = addr(st.addr); each(a, lenPages(st.len, a ?? 0, off(st.addr))); break; }
      case 'madvise': {
        const a = addr(st.addr);
        const adv = st.adviceName;
        each(a, lenPages(st.len, a ?? 0, off(st.addr)), (_v, pg) => {
          if (!pg) return;
          switch (adv) {
            case 'dontneed': if (!pg.locked) pg.st = 'untouched'; break;
            case 'dontneed_locked': pg.st = 'untouched'; break;
            // Clean anonymous private pages are the zero page (not with pvm_no_zero_page=1): nothing to free.
            case 'free': if (!pg.locked && privAnon(pg.kind) && pg.st === 'dirty') pg.st = 'lazyfree'; break;
            case 'pageout':
              if (pg.locked) break;
              if (pg.st === 'lazyfree' || (pg.st === 'clean' && !privAnon(pg.kind))) pg.st = 'untouched';
              break;
            case 'remove': if (!pg.locked && (pg.kind === 'file shared' || pg.kind === 'anon shared' || pg.kind === 'shm')) pg.st = 'untouched'; break;
            case 'populate_read': populate(pg, false); break;
            case 'populate_write': populate(pg, true); break;
            case 'guard_install': if (!pg.locked) pg.st = 'untouched'; break;
            default: break;
          }
        });
        if (adv === 'hugepage' && a !== undefined) thpBlocks(p, a, lenPages(st.len, a, off(st.addr)));
        break;
      }
      case 'mremap': {
        const a = addr(st.addr);
        if (a === undefined) break;
        const oldN = lenPages(st.oldLen, a), newN = pagesOf(st.newLen.bytes ?? 0);
        const moved: Array<Pg | undefined> = [];
        each(a, oldN, (_v, pg) => moved.push(pg));
        if (st.rawFlags !== undefined || oldN === 0) break;
        const fl = st.flags ?? [];
        let dest: number | undefined;
        if (st.to && fl.includes('maymove') && fl.includes('fixed')) dest = addr(st.to);
        else if (st.bind) dest = fresh();
        const kind = moved[0]?.kind;
        const fill = (base: number): void => {
          for (let i = 0; i < newN; i++) {
            const src = moved[i];
            if (src) p.pages.set(base + i, { ...src });
            else if (kind && !p.pages.has(base + i)) p.pages.set(base + i, { kind, prot: moved[0]!.prot, st: 'untouched', locked: moved[0]!.locked });
          }
        };
        if (dest !== undefined) {
          for (let i = 0; i < oldN; i++) {
            if (fl.includes('dontunmap')) { const pg = p.pages.get(a + i); if (pg) { pg.st = 'untouched'; pg.locked = false; } }
            else p.pages.delete(a + i);
          }
          fill(dest);
          if (st.bind) p.regions.set(st.bind, { base: dest, len: newN });
          const named = st.addr.region && !st.addr.region.startsWith('arena') && Number(st.addr.offset ?? 0) === 0;
          if (named && !st.bind) p.regions.set(st.addr.region!, { base: dest, len: newN });
        } else if (!fl.includes('dontunmap')) {
          for (let i = newN; i < oldN; i++) p.pages.delete(a + i);
          fill(a);
        }
        break;
      }
      case 'mlockall': {
        const f = Number(st.flags);
        if (f & ~7 || !(f & 3)) break;
        const onfault = (f & 4) !== 0;
        for (const pg of p.pages.values()) { const [k, sst] = stateOf(pg); pairs.add(`${k}|${sst}`); }
        if (f & 1) for (const pg of p.pages.values()) { pg.locked = true; if (!onfault) lockPopulate(pg); }
        if (f & 2) p.future = onfault ? 'onfault' : 'on';
        break;
      }
      case 'every_mapping': {
        // Like MCL_CURRENT (mlock, mlock2) or munlockall (munlock) on every page the fuzzer tracks.
        for (const pg of p.pages.values()) { const [k, sst] = stateOf(pg); pairs.add(`${k}|${sst}`); }
        const onfault = st.call === 'mlock2' && st.flags === '1';
        for (const pg of p.pages.values()) {
          pg.locked = st.call !== 'munlock';
          if (pg.locked && !onfault) lockPopulate(pg);
        }
        break;
      }
      case 'munlockall':
        for (const pg of p.pages.values()) { const [k, sst] = stateOf(pg); pairs.add(`${k}|${sst}`); pg.locked = false; }
        p.future = 'off';
        break;
      case 'fork': {
        for (const pg of p.pages.values()) { const [k, sst] = stateOf(pg); pairs.add(`${k}|${sst}`); }
        const pages = new Map<number, Pg>();
        for (const [v, pg] of p.pages) pages.set(v, { ...pg, locked: false });
        procs.set(st.child, { regions: new Map(p.regions), pages, future: 'off' });
        break;
      }
      case 'exec': p.pages.clear(); p.regions.clear(); p.future = 'off'; break;
      case 'exit': procs.delete(st.proc); break;
      case 'shmget': segSize.set(st.segment, pagesOf(st.size)); break;
      case 'shmat': {
        const a = addr(st.at);
        const n = segSize.get(st.segment) ?? 1;
        each(a, n);
        if (a === undefined) break;
        const prot = (st.flags ?? []).includes('rdonly') ? 'r--' : 'rw-';
        for (let v = a; v < a + n; v++) p.pages.set(v, { kind: 'shm', prot, st: 'untouched', locked: false });
        break;
      }
      case 'shmdt': {
        const a = addr(st.addr);
        if (a === undefined) break;
        each(a, 1);
        for (let v = a; p.pages.get(v)?.kind === 'shm'; v++) p.pages.delete(v);
        break;
      }
      default: pairs.add('-|-'); break;
    }
    fn(call, pairs);
  }
}
