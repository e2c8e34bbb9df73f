// Choices → IR. Tracks the scope a compiler would (live processes, the regions
// each one has bound, files) plus what the fuzzer needs for host safety: which
// regions certainly lie inside the process's *arena*, a PROT_NONE reservation
// that MAP_FIXED / MREMAP_FIXED placements go into so layouts never depend on
// where the kernel (or the model) places a mapping. Ranges on arena regions may
// stray a few pages outside the region but never outside the arena; ranges on
// regions that may have moved ("floating") stay inside their smallest possible
// length. So a generated scenario can never unmap or reprotect executor memory.
import type { Addr, Len, ResultExpect, Scenario } from '../../schema/generated/types.js';
import type { Step } from '../ir.js';
import { ADVICE, MMAP_FLAG_ORDER, MREMAP_FLAG_ORDER } from '../../grammar/names.js';
import { OPS, type Choice } from './choices.js';

export const PAGE = 4096;
/** Arena: 1024 pages; placements start 16 pages in and end before page 880 so growth and stray ranges stay inside. */
export const ARENA_PAGES = 1024;
const PLACE_MIN = 16;
const PLACE_MAX = ARENA_PAGES - 16 - 128;
export const MAX_MAP_PAGES = 64;
/** A THP block: 512 pages at arena + 512p, PMD-aligned because the arena is (SPEC Fuzzing, "THP blocks"). */
const PMD_PAGES = 512;
const MAX_PROCS = 4;

interface RegionInfo {
  /** Bound name of a floating region (plain mmap, mremap that may move); arena regions have none. */
  name?: string;
  /** Smallest and largest length (pages) the region can have now (results are not known while generating). */
  minLen: number;
  maxLen: number;
  /** Certainly inside this process's arena (stray ranges of ±2 pages stay in it). */
  inArena: boolean;
  /** Page offset in the arena (arena regions are addressed through the arena, which is always bound). */
  arenaOff: number;
  /** Length (pages) the compiler knows for the name: set by mmap or `x = mremap`, forgotten by any mremap of it. */
  knownLen?: number;
  /**
   * The last range a read, write or range call used on this region (not a wrapping length), so the
   * next call can take the same pages: page-state sequences (write, MADV_FREE, MADV_PAGEOUT, look)
   * need several calls on one range. Forgotten when an mremap changes the region.
   */
  lastRange?: { addr: Addr; len: Len };
}

interface ProcState {
  name: string;
  regions: RegionInfo[];
  arena: string;
  /** RLIMIT_DATA was set: an exec could fail past the point of no return and kill the executor. */
  dataLimited?: boolean;
  /** Bytes the break has been raised since this image started (if every brk succeeded). */
  heapUp: number;
  /** Arena page offsets where this process attached shm segments (shmdt targets). */
  shmAt?: number[];
  /**
   * This image comes from an exec (here or in a parent): execve re-randomises mmap_base, which the
   * model cannot know, so the kernel places nothing (SPEC Fuzzing, "Placement after exec").
   */
  execed?: boolean;
  /** A `user` step ran here or in a parent: a later fork or exec opens pagemap without CAP_SYS_ADMIN (no PFNs). */
  switchedUser?: boolean;
}

export interface MaterializeOptions {
  /** The host's driver lacks CAP_SYS_RESOURCE (containers): start with `cap drop sys_resource` and never raise it. */
  noSysResource?: boolean;
}

/** A fresh `any` result expectation per step (a literal: structuredClone costs microseconds per step). */
const any = (): ResultExpect => ({ default: { kind: 'any' }, cases: [] });
const PROTS = ['rw-', 'r--', '---', 'rwx', 'r-x', '-w-', '--x'] as const;
const MLOCKALL = [1, 3, 2, 5, 7, 6, 4, 0, 8, 9];
/**
 * Advice that changes page state (what reclaim, zaps and faults do to the pages), drawn for half the madvise
 * calls: drawn uniformly from MADVICE, FREE then PAGEOUT on the same written pages was a 1-in-10^5 scenario.
 */
const MADVICE_PAGES = ['free', 'pageout', 'cold', 'dontneed', 'free', 'pageout', 'populate_read', 'populate_write'] as const;
const MADVICE = ['dontneed', 'dontneed_locked', 'willneed', 'populate_read', 'populate_write', 'dontfork', 'dofork',
  'wipeonfork', 'keeponfork', 'free', 'remove', 'normal', 'random', 'sequential', 'cold', 'pageout', 'guard_install',
  'guard_remove', 'hugepage', 'nohugepage', 999] as const;
const MSYNC = [4, 1, 2, 6, 5, 8];
const RLIM = ['0', String(PAGE), String(4 * PAGE), String(16 * PAGE), String(64 * PAGE), 'unlimited', String(8 * PAGE + 100)];
const BRK = [PAGE, 4 * PAGE, -PAGE, 16 * PAGE, -4 * PAGE, 1];
/** Lengths whose end wraps or exceeds the address space: errors without side effects. */
const WILD = ['18446744073709551615', '9223372036854775808', '18446744073709547520'];
const MREMAP_FLAGS: { flags: (typeof MREMAP_FLAG_ORDER)[number][]; raw?: string }[] = [
  { flags: [] }, { flags: ['maymove'] }, { flags: ['maymove', 'fixed'] }, { flags: ['maymove', 'dontunmap'] },
  { flags: ['fixed'] }, { flags: ['dontunmap'] }, { flags: ['maymove', 'fixed', 'dontunmap'] }, { flags: [], raw: '8' },
];

export interface Materialized {
  scenario: Scenario;
  /** For each step, the index of the choice that produced it (shrinking maps steps back to choices). */
  origin: number[];
}

export function materialize(choices: readonly Choice[], name = 'fuzz', file = 'fuzz.mls', env: MaterializeOptions = {}): Materialized {
  const steps: Step[] = [];
  const origin: number[] = [];
  const procs: ProcState[] = [{ name: 'main', regions: [], arena: '', heapUp: 0 }];
  const processes = ['main'];
  let regionN = 0, arenaN = 0, fileN = 0, childN = 0, segN = 0;
  const files: string[] = [];
  const segments: string[] = [];
  let ci = -1;

  // Every caller passes a fresh object used once: `loc` goes on it (last key, as a spread would put it), no copy.
  const push = (st: Record<string, unknown> & { op: string; proc: string }): void => {
    st['loc'] = { file, line: steps.length + 3, column: 1 };
    steps.push(st as unknown as Step);
    origin.push(ci);
  };
  // The arena is mapped first (and again right after an exec), before any lock limit can refuse it.
  const newArena = (p: ProcState): void => {
    const bind = arenaN++ === 0 ? 'arena' : `arena${arenaN}`;
    push({ op: 'mmap', proc: p.name, bind, len: { bytes: String(ARENA_PAGES * PAGE) }, prot: '---', share: 'private', flags: ['noreserve'], result: any() });
    p.arena = bind;
  };
  const at = (region: string, bytes: number | bigint): Addr => ({ region, offset: String(bytes) });
  /** The whole named region's length as the compiler writes it: bytes when it knows them, else {regionLen}. */
  const wholeLen = (reg: RegionInfo & { name: string }): Len =>
    reg.knownLen !== undefined ? bytes(reg.knownLen * PAGE) : { regionLen: reg.name };
  const where = (p: ProcState, reg: RegionInfo, off: number): Addr =>
    reg.name !== undefined ? at(reg.name, off) : at(p.arena, reg.arenaOff * PAGE + off);
  ci = -1;
  newArena(procs[0]!);
  if (env.noSysResource) push({ op: 'cap', proc: 'main', action: 'drop', cap: 'sys_resource', result: any() });
  const bytes = (n: number | bigint | string): Len => ({ bytes: String(n) });
  const pickRegion = (p: ProcState, r: number): RegionInfo | undefined =>
    p.regions.length ? p.regions[p.regions.length - 1 - (r % p.regions.length)] : undefined;

  /** A range on a region: whole (bare), or offset/length in pages with odd byte tails; never outside the safe zone. */
  const range = (p: ProcState, reg: RegionInfo, c: Choice, wild: boolean): { addr: Addr; len: Len } => {
    if (c.c % 6 === 1 && reg.lastRange) return sameRange(reg);
    const r = freshRange(p, reg, c, wild);
    if (!(wild && c.c % 6 === 5)) reg.lastRange = r;
    return r;
  };
  /** A copy of the region's last range (steps are separate objects). */
  const sameRange = (reg: RegionInfo): { addr: Addr; len: Len } => ({ addr: { ...reg.lastRange!.addr }, len: { ...reg.lastRange!.len } });
  const freshRange = (p: ProcState, reg: RegionInfo, c: Choice, wild: boolean): { addr: Addr; len: Len } => {
    if (c.c % 6 === 0) {
      return reg.name !== undefined ? { addr: at(reg.name, 0), len: wholeLen(reg as RegionInfo & { name: string }) } : { addr: where(p, reg, 0), len: bytes(reg.minLen * PAGE) };
    }
    if (wild && c.c % 6 === 5) return { addr: where(p, reg, 0), len: bytes(WILD[c.b % WILD.length]!) };
    const sub = [0, 1, 100, -1, 0][c.f % 5]!;
    const tail = [0, 1, 4095, 100][(c.f >> 3) % 4]!;
    if (reg.inArena) {
      const off = (c.a % (reg.maxLen + 5)) - 2;
      const room = reg.maxLen + 2 - off;
      const len = c.b % (room + 1);
      return { addr: where(p, reg, off * PAGE + sub), len: bytes(Math.max(0, len * PAGE + tail - (tail && len === room ? PAGE : 0))) };
    }
    if (reg.minLen === 0) return { addr: where(p, reg, 0), len: bytes(0) };
    const off = c.a % reg.minLen;
    const len = c.b % (reg.minLen - off + 1);
    const t = len < reg.minLen - off ? tail : 0;
    // A byte tail only when a whole page of the region is left for the rounded-up end.
    return { addr: where(p, reg, off * PAGE + Math.max(0, sub)), len: bytes(len * PAGE + (sub > 0 ? 0 : t)) };
  };

  /**
   * One mapping in 32 is a THP block: private anonymous rw memory over the arena's second 2 MiB block with
   * MADV_HUGEPAGE, so faults, populate, mlock and splits meet whole PMDs and the huge zero page (mappings of
   * at most 64 pages never did: `--setting huge_zero_page=on` found nothing in 2,000 scenarios). Calls see
   * it as 508 pages at arena + 514p, so their stray ranges (±2 pages) stay inside the arena.
   */
  const thpBlock = (p: ProcState, c: Choice): void => {
    const st: Record<string, unknown> & { op: string; proc: string } = {
      op: 'mmap', proc: p.name, len: bytes(PMD_PAGES * PAGE), prot: 'rw-', share: 'private',
      flags: MMAP_FLAG_ORDER.filter((f) => f === 'fixed' || (f === 'locked' && (c.f >> 3) & 1)), at: at(p.arena, PMD_PAGES * PAGE), result: any(),
    };
    push(st);
    push({ op: 'madvise', proc: p.name, addr: at(p.arena, PMD_PAGES * PAGE), len: bytes(PMD_PAGES * PAGE), advice: ADVICE['hugepage']!, adviceName: 'hugepage', result: any() });
    p.regions.push({ minLen: PMD_PAGES - 4, maxLen: PMD_PAGES - 4, inArena: true, arenaOff: PMD_PAGES + 2 });
  };

  const mapping = (p: ProcState, c: Choice): void => {
    if (c.c % 8 === 4 && (c.g >> 8) === 3) { thpBlock(p, c); return; }
    const pages = 1 + (c.a % MAX_MAP_PAGES);
    const prot = PROTS[c.b % PROTS.length]!;
    const share = c.f & 1 ? 'shared' : 'private';
    const isFile = (c.f >> 1) % 4 === 3;
    const flags: string[] = [];
    if ((c.f >> 3) & 1) flags.push('locked');
    if ((c.f >> 4) & 1) flags.push('populate');
    if ((c.f >> 5) & 1) flags.push('noreserve');
    if (((c.f >> 6) & 7) === 7 && !isFile && share === 'private') flags.push('growsdown');
    const place = c.c % 8;
    const st: Record<string, unknown> & { op: string; proc: string } = {
      op: 'mmap', proc: p.name, len: bytes(pages * PAGE), prot, share, flags, result: any(),
    };
    if (isFile) {
      const fname = `f${++fileN}`;
      const fpages = 1 + ((c.g >> 2) % (pages + 2));
      // One file in 8 is a POSIX shm object (SPEC §3.3 `on shm`): a tmpfs file whatever the temp dir.
      const fs = ((c.g >> 7) & 7) === 7 ? { fs: 'shm' } : {};
      push({ op: 'file', proc: p.name, file: fname, size: String(fpages * PAGE), ...fs, result: any() });
      files.push(fname);
      st['file'] = fname;
      if ((c.g & 3) === 3) st['offset'] = String(PAGE);
    }
    const info: RegionInfo = { minLen: pages, maxLen: pages, inArena: false, arenaOff: 0 };
    if (place === 7 && !p.execed) {
      // A plain mmap: the kernel places it. It is named (and may fail, leaving the name unbound).
      info.name = `m${++regionN}`;
      info.knownLen = pages;
      st['bind'] = info.name;
    } else {
      let pos = PLACE_MIN + ((c.g * 7 + c.b) % (PLACE_MAX - PLACE_MIN + 1));
      const near = p.regions.filter((r) => r.inArena);
      if (place === 6 && near.length) {
        const r = near[near.length - 1 - (c.r % near.length)]!;
        pos = Math.min(PLACE_MAX, Math.max(PLACE_MIN, r.arenaOff + (c.g % (r.maxLen + 4)) - 2));
      }
      flags.push(place === 5 ? 'fixed_noreplace' : 'fixed');
      st['at'] = at(p.arena, pos * PAGE);
      info.inArena = true;
      info.arenaOff = pos;
    }
    st['flags'] = MMAP_FLAG_ORDER.filter((f) => flags.includes(f));
    push(st);
    p.regions.push(info);
  };

  for (ci = 0; ci < choices.length; ci++) {
    const c = choices[ci]!;
    const op = OPS[c.op % OPS.length]!;
    const live = procs;
    const p = live[c.p % live.length]!;
    const reg = pickRegion(p, c.r);
    const needsRegion = ['write', 'read', 'munmap', 'mprotect', 'mremap', 'madvise', 'msync', 'access'].includes(op);
    if (needsRegion && !reg) { mapping(p, c); continue; }
    switch (op) {
      case 'map': mapping(p, c); break;
      case 'write':
      case 'read': {
        const r = reg!;
        const whole = r.inArena ? r.maxLen + 2 : r.minLen;
        const off = r.inArena ? (c.a % (r.maxLen + 3)) - 1 : c.a % Math.max(1, r.minLen);
        if (!r.inArena && r.minLen === 0) break;
        const pages = c.b % 4 === 0 ? 0 : 1 + (c.c % Math.max(1, whole - off));
        // One time in six, the pages the last call on this region used (read back what was written, freed, paged out).
        const rg = c.f % 6 === 5 && r.lastRange?.len.bytes !== undefined ? sameRange(r)
          : { addr: where(p, r, off * PAGE + (pages === 0 && c.f % 3 === 1 ? 1 : 0)), len: bytes(pages === 0 ? 1 : pages * PAGE) };
        if (pages !== 0) r.lastRange = rg;
        const st: Record<string, unknown> & { op: string; proc: string } = { op, proc: p.name, ...rg, result: any() };
        if (op === 'write' && (c.g & 1)) st['value'] = c.g % 256;
        push(st);
        break;
      }
      case 'mlock': case 'munlock': case 'mlock2': {
        if (!reg || c.r === 15) {
          const builtin = c.a % 2 ? 'heap' : 'stack';
          const st = { op, proc: p.name, addr: at(builtin, 0), len: { regionLen: builtin }, result: any() };
          push(op === 'mlock2' ? { ...st, flags: String([0, 1, 2, 3][c.g % 4]) } : st);
          break;
        }
        const rg = range(p, reg, c, true);
        push(op === 'mlock2' ? { op, proc: p.name, ...rg, flags: String([0, 1, 2, 3][c.g % 4]), result: any() } : { op, proc: p.name, ...rg, result: any() });
        break;
      }
      case 'mlockall': push({ op, proc: p.name, flags: String(MLOCKALL[c.g % MLOCKALL.length]), result: any() }); break;
      case 'munlockall': push({ op, proc: p.name, result: any() }); break;
      case 'munmap': push({ op, proc: p.name, ...range(p, reg!, c, false), result: any() }); break;
      case 'mprotect': {
        const prot = PROTS[c.g % PROTS.length]!;
        const st: Record<string, unknown> & { op: string; proc: string } = { op, proc: p.name, ...range(p, reg!, c, false), prot, result: any() };
        const bits = (prot[0] === 'r' ? 1 : 0) | (prot[1] === 'w' ? 2 : 0) | (prot[2] === 'x' ? 4 : 0);
        const raw = (c.g >> 3) % 8;
        if (raw === 7) st['rawProt'] = String(bits | 0x10);
        if (raw === 6) st['rawProt'] = String(bits | 0x01000000);
        push(st);
        break;
      }
      case 'madvise': {
        const adv = (c.g >> 5) % 2 === 1 ? MADVICE_PAGES[c.g % MADVICE_PAGES.length]! : MADVICE[c.g % MADVICE.length]!;
        const advice = typeof adv === 'number' ? adv : ADVICE[adv]!;
        const rg = range(p, reg!, c, false);
        push({ op, proc: p.name, ...rg, advice, ...(typeof adv === 'string' ? { adviceName: adv } : {}), result: any() });
        // Half the MADV_FREE calls are followed by reclaim-side advice on the same range: lazyfree pages only
        // show what they are when reclaim meets them (MADV_PAGEOUT discards the clean ones, SPEC III.6).
        if (adv === 'free' && (c.f >> 6) % 2 === 1) {
          const then = (['pageout', 'cold', 'pageout', 'dontneed'] as const)[(c.f >> 7) % 4]!;
          push({ op, proc: p.name, addr: { ...rg.addr }, len: { ...rg.len }, advice: ADVICE[then]!, adviceName: then, result: any() });
        }
        break;
      }
      case 'msync': push({ op, proc: p.name, ...range(p, reg!, c, false), flags: String(MSYNC[c.g % MSYNC.length]), result: any() }); break;
      case 'mremap': {
        const r = reg!;
        const drawn = MREMAP_FLAGS[c.f % MREMAP_FLAGS.length]!;
        // After an exec a move goes into the arena: a kernel-chosen destination would be random.
        const mode = p.execed && drawn.raw === undefined && drawn.flags.includes('maymove') && !drawn.flags.includes('fixed')
          ? { ...drawn, flags: [...drawn.flags, 'fixed' as const] } : drawn;
        const newPages = 1 + (c.c % MAX_MAP_PAGES);
        const fromStart = c.a % 4 !== 3;
        const startOff = fromStart ? 0 : Math.min(c.b % Math.max(1, r.minLen), Math.max(0, r.minLen - 1));
        const oldKind = c.g % 5;
        let oldLen: Len;
        let oldPages: number;
        if (oldKind === 0 && fromStart && r.name !== undefined) { oldLen = wholeLen(r as RegionInfo & { name: string }); oldPages = r.minLen; }
        else if (oldKind === 2) { oldLen = bytes(0); oldPages = 0; }
        else { oldPages = 1 + ((c.b >> 2) % Math.max(1, r.minLen - startOff)); oldLen = bytes(oldPages * PAGE); }
        // The language writes a new length in bytes only (`-> <len>`): for DONTUNMAP's
        // "same length" a whole-region old length becomes the region's smallest known size.
        const sameLen = mode.flags.includes('dontunmap') && (c.g >> 3) % 4 !== 3;
        const newLen = sameLen ? (oldLen.bytes !== undefined ? oldLen : bytes(r.minLen * PAGE)) : bytes(newPages * PAGE);
        const nPages = Number(BigInt(newLen.bytes!) / BigInt(PAGE));
        const st: Record<string, unknown> & { op: string; proc: string } = {
          op, proc: p.name, addr: where(p, r, startOff * PAGE), oldLen, newLen, flags: MREMAP_FLAG_ORDER.filter((f) => mode.flags.includes(f)), result: any(),
        };
        if (mode.raw) st['rawFlags'] = mode.raw;
        const moves = mode.flags.includes('maymove') && mode.raw === undefined;
        const fixed = mode.flags.includes('fixed');
        if (fixed) {
          const pos = PLACE_MIN + ((c.g * 13 + c.a) % (PLACE_MAX - PLACE_MIN + 1));
          st['to'] = at(p.arena, pos * PAGE);
          // Success puts it there; either way both places stay in the arena.
          if (moves && oldPages !== 0) p.regions.push({ minLen: nPages, maxLen: nPages, inArena: true, arenaOff: pos });
        } else if (moves && (r.name === undefined || !fromStart)) {
          // Moved by the kernel: only a new name can follow it (unbound if the call fails).
          const bind = `m${++regionN}`;
          st['bind'] = bind;
          p.regions.push({ name: bind, minLen: nPages, maxLen: nPages, inArena: false, arenaOff: 0, knownLen: nPages });
        }
        push(st);
        delete r.knownLen; // the compiler forgets the length of any region an mremap starts in
        delete r.lastRange;
        // An unbound mremap at a named region's start (old length ≠ 0) rebinds it, moved or not.
        if (r.name !== undefined && fromStart && oldPages !== 0 && st['bind'] === undefined) {
          r.minLen = Math.min(r.minLen, nPages);
          r.maxLen = Math.max(r.maxLen, nPages);
        } else if (r.name === undefined && fromStart && oldPages !== 0 && !moves) {
          r.maxLen = Math.max(r.maxLen, nPages); // grown or shrunk in place
          r.minLen = Math.min(r.minLen, nPages);
        }
        break;
      }
      case 'brk': {
        // Shrinking below the initial break is allowed down to end_data (mm/mmap.c brk() without
        // compat_brk_randomized) and reads as a negative heap on the host: only shrink what grew.
        let delta = BRK[c.g % BRK.length]!;
        if (delta < 0 && p.heapUp + delta < 0) delta = -delta;
        p.heapUp += delta;
        push({ op, proc: p.name, delta: String(delta), result: any() });
        break;
      }
      case 'rlimit': {
        const resource = c.g % 8 === 7 ? 'data' : 'memlock';
        if (resource === 'data') p.dataLimited = true;
        const soft = RLIM[c.a % RLIM.length]!;
        const hard = c.b % 3 === 0 ? soft : c.b % 3 === 1 ? 'unlimited' : RLIM[c.c % RLIM.length]!;
        push({ op: 'setrlimit', proc: p.name, resource, soft, hard, result: any() });
        break;
      }
      case 'user': {
        // nobody (no capabilities), uid 1000 keeping CAP_IPC_LOCK, or uid 1000 without it.
        const k = c.a % 3;
        push({ op, proc: p.name, uid: k === 0 ? 65534 : 1000, gid: k === 0 ? 65534 : 1000, ...(k === 1 ? { keep: ['ipc_lock'] } : {}), result: any() });
        p.switchedUser = true;
        break;
      }
      case 'page_flags': {
        // Page flags need pagemap's PFNs, opened as root (SPEC Part II); after a user switch they are not shown.
        if (!reg || p.switchedUser) break;
        const check: Record<string, unknown> = { region: reg.name ?? p.arena, field: 'mlocked_map', op: '==' };
        const st: Record<string, unknown> & { op: string; proc: string } = { op: 'expect', proc: p.name, checks: [check] };
        push(st);
        check['loc'] = st['loc'];
        break;
      }
      case 'every_mapping': {
        const call = (['mlock', 'munlock', 'mlock2'] as const)[c.a % 3]!;
        push({ op, proc: p.name, call, ...(call === 'mlock2' ? { flags: String(c.g % 2) } : {}), result: any() });
        break;
      }
      case 'cap': {
        const cap = c.b % 2 && !env.noSysResource ? 'sys_resource' : 'ipc_lock';
        push({ op, proc: p.name, action: c.a % 2 ? 'raise' : 'drop', cap, result: any() });
        break;
      }
      case 'fork': {
        if (procs.length >= MAX_PROCS) break;
        const child = `c${++childN}`;
        push({ op, proc: p.name, child, result: any() });
        procs.push({ name: child, regions: p.regions.map((r) => ({ ...r })), arena: p.arena, heapUp: p.heapUp, ...(p.shmAt ? { shmAt: [...p.shmAt] } : {}), ...(p.dataLimited ? { dataLimited: true } : {}), ...(p.execed ? { execed: true } : {}), ...(p.switchedUser ? { switchedUser: true } : {}) });
        processes.push(child);
        break;
      }
      case 'exec': {
        if (p.name === 'main' && c.a % 4 !== 3) break; // mostly children: exec of main ends most scenarios' interest
        if (p.dataLimited) break;
        push({ op, proc: p.name, result: any() });
        p.regions = [];
        p.heapUp = 0;
        p.execed = true;
        delete p.shmAt;
        newArena(p);
        break;
      }
      case 'exit': {
        if (p.name === 'main') break;
        push({ op, proc: p.name, result: any() });
        procs.splice(procs.indexOf(p), 1);
        break;
      }
      case 'truncate': {
        if (!files.length) break;
        push({ op, proc: p.name, file: files[files.length - 1 - (c.r % files.length)]!, size: String((c.g % 4) * PAGE), result: any() });
        break;
      }
      case 'shm': {
        const attached = p.shmAt ?? [];
        if (attached.length && c.c % 4 === 0) {
          // shmdt at an attach address (EINVAL if that attachment is gone or was moved)
          push({ op: 'shmdt', proc: p.name, addr: at(p.arena, attached[attached.length - 1 - (c.r % attached.length)]! * PAGE), result: any() });
          break;
        }
        if (segments.length && c.c % 4 === 1) {
          push({ op: 'shmctl', proc: p.name, segment: segments[segments.length - 1 - (c.r % segments.length)]!, cmd: 'rmid', result: any() });
          break;
        }
        // A new segment, or an existing one attached again (also from another process).
        let seg = segments.length && c.c % 4 === 2 ? segments[segments.length - 1 - (c.r % segments.length)]! : undefined;
        const pages = 1 + (c.a % 16);
        if (!seg) {
          seg = `s${++segN}`;
          push({ op: 'shmget', proc: p.name, segment: seg, size: String(pages * PAGE), result: any() });
          segments.push(seg);
        }
        // Into the arena with SHM_REMAP (it replaces arena pages, as MAP_FIXED would).
        const pos = PLACE_MIN + ((c.g * 7 + c.b) % (PLACE_MAX - PLACE_MIN + 1));
        const flags = ['remap', ...(c.f & 1 ? ['rdonly'] : [])];
        push({ op: 'shmat', proc: p.name, segment: seg, at: at(p.arena, pos * PAGE), flags: ['rdonly', 'rnd', 'remap', 'exec'].filter((f) => flags.includes(f)), result: any() });
        // The segment's size is what shmget asked for when this choice made it; an older one may be smaller.
        p.regions.push({ minLen: 1, maxLen: 16, inArena: true, arenaOff: pos });
        (p.shmAt ??= []).push(pos);
        break;
      }
      case 'grow_stack': break; // never generated (choices.ts); a shrunk op index landing here does nothing
      case 'access': {
        if (!reg || reg.minLen === 0) break;
        const whole = c.c % 2 === 0;
        push({
          op, proc: p.name, addr: where(p, reg, 0), len: whole && reg.name !== undefined ? wholeLen(reg as RegionInfo & { name: string }) : bytes(reg.minLen * PAGE),
          count: 1 + (c.a % 32), seed: String(c.b), mode: c.f & 1 ? 'write' : 'read', result: any(),
        });
        break;
      }
    }
  }

  const scenario: Scenario = {
    schemaVersion: 1, file, name, description: '', tags: ['fuzz'], kernels: { profiles: [], constraints: [] },
    requires: [], env: { image: 'default' }, processes, steps, hash: '',
  };
  return { scenario, origin };
}
