// Safety cap: before anything runs, bound how much memory the scenario can
// make resident or locked on the host, so a typo (`mlockall current` after a
// 1T noreserve mapping, `write big 1T`, `file f 1G`, a THP-backed random
// write storm) cannot take the machine down. The bound is deliberately
// conservative: it adds up every step that may populate memory, each counted
// at the most it could touch; it never under-counts.
import type { HostFacts as MachineFacts, Scenario } from '../../../schema/generated/types.js';
import type { Step } from './encode.js';
import { folioOf, folioSizes, roundOut, type Folios, type MappingKind } from './thp-folio.js';

export const DEFAULT_LOCK_CAP = 256 * 1024 * 1024;
/** How a user raises the cap (named in the refusal, `--help` and README). */
export const CAP_FLAG = '--host-lock-cap';
export const CAP_ENV = 'MLS_HOST_LOCK_CAP';
/** The executor's own image (text, data, stack) that mlockall(MCL_CURRENT) would lock too. */
const IMAGE_ALLOWANCE = 8n * 1024n * 1024n;
const U64 = 1n << 64n;
const MADV_POPULATING = new Set([3 /* WILLNEED */, 22 /* POPULATE_READ */, 23 /* POPULATE_WRITE */]);
const MADV_HUGEPAGE = 14;
/** mm/khugepaged.c:madvise_collapse: fills the whole PMD block from one present page, whatever sysfs says. */
const MADV_COLLAPSE = 25;

export interface CapViolation {
  step: number;
  line: number;
  total: bigint;
  message: string;
}

export function formatMiB(b: bigint): string {
  const mib = Number(b) / (1024 * 1024);
  return mib >= 1024 * 1024 ? `${(mib / 1024 / 1024).toFixed(1)} TiB` : mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib.toFixed(1)} MiB`;
}

/** The region each step addresses, for its mapping kind. */
function addressed(st: Step): string | undefined {
  return 'addr' in st && st.addr && typeof st.addr === 'object' ? st.addr.region : undefined;
}

/**
 * `facts`: the host's (THP settings, page size); undefined counts every touch as a PMD block.
 * Pass `null` only in tests that want the page-granular count of a host without THP.
 */
export function checkLockCap(s: Scenario, capBytes = DEFAULT_LOCK_CAP, facts?: MachineFacts | null): CapViolation | undefined {
  const steps = s.steps as Step[];
  const madvised = steps.some((st) => st.op === 'madvise' && st.advice === MADV_HUGEPAGE);
  const folios: Folios = facts === null
    ? { page: 4096n, anon: 4096n, shmem: 4096n, any: 4096n }
    : folioSizes(facts, madvised);
  const PAGE = folios.page;
  const pageAlign = (b: bigint): bigint => (b + PAGE - 1n) & ~(PAGE - 1n);
  const lens = new Map<string, bigint>();
  const kinds = new Map<string, MappingKind | undefined>();
  const segments = new Map<string, bigint>();
  const len = (l: { bytes?: string; regionLen?: string }): bigint =>
    l.bytes !== undefined ? BigInt(l.bytes) : lens.get(l.regionLen ?? '') ?? 0n;
  const bind = (name: string | undefined, l: bigint, kind: MappingKind | undefined): void => {
    if (!name) return;
    lens.set(name, l);
    kinds.set(name, kind);
  };
  const mmapKind = (st: Extract<Step, { op: 'mmap' }>): MappingKind | undefined =>
    st.flags.includes('hugetlb') ? undefined : st.file !== undefined ? 'file' : st.share === 'shared' ? 'shmem' : 'anon';
  // Pass 1: everything the scenario can ever map (bounds any range-based populate).
  let mapped = IMAGE_ALLOWANCE;
  for (const st of steps) {
    switch (st.op) {
      case 'mmap': case 'memfd_secret': { const l = len(st.len); mapped += l; bind(st.bind, l, undefined); break; }
      case 'mremap': { const l = len(st.newLen); mapped += l; bind(st.bind, l, undefined); break; }
      case 'brk': if (BigInt(st.delta) > 0n) mapped += BigInt(st.delta); break;
      case 'grow_stack': mapped += len(st.len); break;
      // A segment's pages are shared by every attachment: counted once, at its size (ipc/shm.c:newseg).
      case 'shmget': { const l = pageAlign(BigInt(st.size)); mapped += l; segments.set(st.segment, l); break; }
      case 'shmat': bind(st.bind, segments.get(st.segment) ?? 0n, undefined); break;
      default: break;
    }
  }
  lens.clear();
  segments.clear();
  /** A range touched or populated: PAGE_ALIGN(len + offset-in-page) modulo 2^64, every folio it overlaps, at most M. */
  const range = (l: bigint, folio: bigint): bigint => {
    const n = roundOut(((l + 2n * PAGE - 1n) % U64) & ~(PAGE - 1n), folio, PAGE);
    return n < mapped ? n : mapped;
  };
  const folioAt = (st: Step): bigint => {
    const r = addressed(st);
    return folioOf(folios, r !== undefined && kinds.has(r) ? kinds.get(r) : undefined);
  };
  const files = new Map<string, bigint>();
  let total = 0n;
  let futureCounted = false;
  const cap = BigInt(capBytes);
  for (const [i, st] of steps.entries()) {
    let add = 0n;
    switch (st.op) {
      case 'mmap': {
        const l = len(st.len);
        bind(st.bind, l, mmapKind(st));
        if (st.flags.includes('locked') || st.flags.includes('populate')) add = range(l, folioOf(folios, mmapKind(st)));
        break;
      }
      case 'memfd_secret': bind(st.bind, len(st.len), 'small'); break;
      case 'mremap': {
        const l = len(st.newLen);
        const from = addressed(st);
        bind(st.bind ?? (from !== undefined && BigInt(st.addr.offset) === 0n && !st.addr.end ? from : undefined), l,
          from !== undefined ? kinds.get(from) : undefined);
        add = range(l, folioAt(st));
        break;
      }
      case 'mlock': case 'mlock2': case 'pin': case 'read': case 'write': add = range(len(st.len), folioAt(st)); break;
      case 'madvise':
        if (MADV_POPULATING.has(st.advice)) add = range(len(st.len), folioAt(st));
        else if (st.advice === MADV_COLLAPSE) add = range(len(st.len), folios.page * 512n);
        break;
      case 'access': {
        const f = folioAt(st);
        const l = BigInt(st.count) * f;
        const r = range(len(st.len), f);
        add = l < r ? l : r;
        break;
      }
      case 'every_mapping': if (st.call !== 'munlock') add = mapped; break; // like MCL_CURRENT: every mapping populated
      case 'mlockall': {
        const f = BigInt(st.flags);
        if (f & 1n) add = mapped; // MCL_CURRENT populates every mapping
        if (f & 2n && !futureCounted) { add += mapped; futureCounted = true; } // every later mapping
        break;
      }
      case 'brk': if (BigInt(st.delta) > 0n) add = roundOut(BigInt(st.delta), folios.anon, PAGE); break;
      case 'grow_stack': add = roundOut(len(st.len), folios.anon, PAGE); break;
      // Files are written, not sparse (native/src/calls.c:do_file): page cache, or unswappable RAM on tmpfs.
      case 'file': add = pageAlign(BigInt(st.size)); files.set(st.file, add); break;
      case 'truncate': {
        const now = pageAlign(BigInt(st.size));
        const was = files.get(st.file) ?? 0n;
        if (now > was) { add = now - was; files.set(st.file, now); }
        break;
      }
      case 'shmget': segments.set(st.segment, pageAlign(BigInt(st.size))); break;
      case 'shmat': bind(st.bind, segments.get(st.segment) ?? 0n, 'shmem'); break;
      // SHM_LOCK keeps every page the segment ever gets (ipc/shm.c:shmctl_do_lock → shmem_lock).
      case 'shmctl': if (st.cmd === 'lock') add = segments.get(st.segment) ?? 0n; break;
      default: break;
    }
    total += add;
    if (total > cap) {
      return {
        step: i, line: st.loc.line, total,
        message: `host safety cap: up to ${formatMiB(total)} may be locked, ` +
          `populated or written to files by this point (cap ${formatMiB(cap)}); the host target refuses to run it. ` +
          `If the machine can take it, raise the cap with ${CAP_FLAG} <size> or ${CAP_ENV}=<size>.`,
      };
    }
  }
  return undefined;
}
