// Safety cap: before anything runs, bound how much memory the scenario can
// make resident or locked on the host, so a typo (`mlockall current` after a
// 1T noreserve mapping, `write big 1T`) cannot take the machine down. The
// bound is deliberately conservative: it adds up every step that may populate
// memory, each counted at the most it could touch; it never under-counts.
import type { Scenario } from '../../../schema/generated/types.js';
import type { Step } from './encode.js';

export const DEFAULT_LOCK_CAP = 256 * 1024 * 1024;
/** The executor's own image (text, data, stack) that mlockall(MCL_CURRENT) would lock too. */
const IMAGE_ALLOWANCE = 8n * 1024n * 1024n;
const PAGE = 4096n;
const U64 = 1n << 64n;
const MADV_POPULATING = new Set([3 /* WILLNEED */, 22 /* POPULATE_READ */, 23 /* POPULATE_WRITE */]);

export interface CapViolation {
  step: number;
  line: number;
  total: bigint;
  message: string;
}

function formatMiB(b: bigint): string {
  const mib = Number(b) / (1024 * 1024);
  return mib >= 1024 * 1024 ? `${(mib / 1024 / 1024).toFixed(1)} TiB` : mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib.toFixed(1)} MiB`;
}

export function checkLockCap(s: Scenario, capBytes = DEFAULT_LOCK_CAP): CapViolation | undefined {
  const lens = new Map<string, bigint>();
  const len = (l: { bytes?: string; regionLen?: string }): bigint =>
    l.bytes !== undefined ? BigInt(l.bytes) : lens.get(l.regionLen ?? '') ?? 0n;
  // Pass 1: everything the scenario can ever map (bounds any range-based populate).
  let mapped = IMAGE_ALLOWANCE;
  for (const st of s.steps) {
    switch (st.op) {
      case 'mmap': case 'memfd_secret': { const l = len(st.len); mapped += l; if (st.bind) lens.set(st.bind, l); break; }
      case 'mremap': { const l = len(st.newLen); mapped += l; if (st.bind) lens.set(st.bind, l); break; }
      case 'brk': if (BigInt(st.delta) > 0n) mapped += BigInt(st.delta); break;
      case 'grow_stack': mapped += len(st.len); break;
      default: break;
    }
  }
  lens.clear();
  const range = (l: bigint): bigint => {
    // mm/mlock.c normalisation: PAGE_ALIGN(len + offset-in-page) modulo 2^64.
    const n = ((l + 2n * PAGE - 1n) % U64) & ~(PAGE - 1n);
    return n < mapped ? n : mapped;
  };
  let total = 0n;
  let futureCounted = false;
  const cap = BigInt(capBytes);
  for (const [i, st] of (s.steps as Step[]).entries()) {
    let add = 0n;
    switch (st.op) {
      case 'mmap': {
        const l = len(st.len);
        if (st.bind) lens.set(st.bind, l);
        if (st.flags.includes('locked') || st.flags.includes('populate')) add = l;
        break;
      }
      case 'memfd_secret': if (st.bind) lens.set(st.bind, len(st.len)); break;
      case 'mremap': { const l = len(st.newLen); if (st.bind) lens.set(st.bind, l); add = l; break; }
      case 'mlock': case 'mlock2': case 'pin': case 'read': case 'write': add = range(len(st.len)); break;
      case 'madvise': if (MADV_POPULATING.has(st.advice)) add = range(len(st.len)); break;
      case 'access': { const l = BigInt(st.count) * PAGE; const r = range(len(st.len)); add = l < r ? l : r; break; }
      case 'mlockall': {
        const f = BigInt(st.flags);
        if (f & 1n) add = mapped; // MCL_CURRENT populates every mapping
        if (f & 2n && !futureCounted) { add += mapped; futureCounted = true; } // every later mapping
        break;
      }
      case 'brk': if (BigInt(st.delta) > 0n) add = BigInt(st.delta); break;
      case 'grow_stack': add = len(st.len); break;
      default: break;
    }
    total += add;
    if (total > cap) {
      return {
        step: i, line: st.loc.line, total,
        message: `${st.loc.file}:${st.loc.line}:${st.loc.column}: host safety cap: up to ${formatMiB(total)} may be locked or ` +
          `populated by this point (cap ${formatMiB(BigInt(capBytes))}); the host target refuses to run it. ` +
          `Raise the cap with hostLockCapBytes if the machine can take it.`,
      };
    }
  }
  return undefined;
}
