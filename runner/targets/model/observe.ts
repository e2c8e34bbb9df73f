// Snapshots of a model process, in the observation schema's terms: what
// /proc/pid/status, smaps, smaps_rollup, maps and mincore would show.
import type { RegionObservation, Snapshot, VmaObservation } from '../../../schema/generated/types.js';
import {
  PAGE_SIZE, mapsLineCount, mclFuture, mincoreRanges, rollupLocked, smaps, status, vmFlags, type SmapsView,
} from '../../../runtime/index.js';
import type { Vma } from '../../../runtime/vma.js';
import type { MemObject } from '../../../runtime/pages.js';
import type { System } from '../../../runtime/system.js';
import type { Proc, Region } from './bindings.js';
import { LARGE_FOLIO_UNKNOWN, LockedPages, flaggedRanges, unevictableUnknown } from '../../../runtime/page-flags.js';
import type { StepReads } from '../../evaluation/step-reads.js';

const P = BigInt(PAGE_SIZE);
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** smaps of each VMA rendered once per snapshot (regions overlap; smaps_rollup reads the locked ones again). */
type SmapsMemo = Map<Vma, SmapsView> & { locked?: LockedPages };

/** One region's observation over pages [sp, ep); off(page) is the byte offset of a page from the region's base. */
function observeRange(p: Proc, sp: number, ep: number, len: number, off: (pg: number) => number, memo: SmapsMemo): RegionObservation {
  const t = p.task, mm = t.mm;
  let hit: Vma[];
  if (len === 0) { const v = mm.vmas.lookup(sp); hit = v ? [v] : []; } else hit = mm.vmas.overlapping(sp, ep);
  const vmas: VmaObservation[] = hit.map((v) => {
    let s = memo.get(v);
    if (!s) memo.set(v, (s = smaps(t, v)));
    return {
      start: off(v.start), end: off(v.end),
      prot: v.prot(), shared: v.shared(), flags: vmFlags(t, v),
      rss: s.rss, pss: s.pss, locked: s.locked, anonymous: s.anonymous, anonHuge: s.anonHuge,
    };
  });
  // mincore over the pages of [base, base+len), as page indexes from the region's first page.
  const resident = len > 0 ? mincoreRanges(mm, sp, ep, hit) : [];
  for (const x of resident) { x[0] -= sp; x[1] -= sp; }
  const out: RegionObservation = { len, vmas, resident };
  const lp = memo.locked;
  if (lp) {
    const seen = { objs: new Set<MemObject>(), unknown: false };
    const n = len > 0 ? ep : sp;
    out.mlocked = flaggedRanges(t, sp, n, (o, i) => lp.mlocked(o, i), seen);
    out.unevictable = flaggedRanges(t, sp, n, (o, i) => lp.unevictable(o, i));
    if (seen.unknown) out.mlockedUnknown = LARGE_FOLIO_UNKNOWN;
    const why = seen.unknown ? LARGE_FOLIO_UNKNOWN : unevictableUnknown(t.mm.system, seen.objs);
    if (why) out.unevictableUnknown = why;
  }
  return out;
}

/** A region given in bytes as exact numbers (the usual case: addresses below 2^53), else as BigInt. */
function regionObservation(p: Proc, base: number, len: number, memo: SmapsMemo): RegionObservation {
  if (base + len > Number.MAX_SAFE_INTEGER) return bigRegionObservation(p, { base: BigInt(base), len: BigInt(len) }, memo);
  return observeRange(p, Math.floor(base / PAGE_SIZE), Math.ceil((base + len) / PAGE_SIZE), len, (pg) => pg * PAGE_SIZE - base, memo);
}

function bigRegionObservation(p: Proc, r: Region, memo: SmapsMemo): RegionObservation {
  const endB = r.base + r.len;
  if (endB <= SAFE) return regionObservation(p, Number(r.base), Number(r.len), memo);
  const off = (pg: number): number => Number(BigInt(pg) * P - r.base);
  return observeRange(p, Number(r.base / P), Number((endB + P - 1n) / P), Number(r.len), off, memo);
}

export function snapshot(p: Proc, reads?: StepReads): Snapshot {
  const t = p.task;
  const memo: SmapsMemo = new Map();
  if (reads?.pages || reads?.meminfo) memo.locked = new LockedPages(t.mm.system);
  const regions: Record<string, RegionObservation> = {};
  // User bindings first (as the host executor reports them), then the built-ins they do not shadow.
  for (const [name, r] of p.regions) regions[name] = bigRegionObservation(p, r, memo);
  for (const [name, base, len] of p.builtinSpans()) if (!p.regions.has(name)) regions[name] = regionObservation(p, base, len, memo);
  return {
    status: status(t),
    mapCount: mapsLineCount(t.mm),
    lockedTotal: rollupLocked(t, memo),
    mclFuture: mclFuture(t.mm),
    regions,
    ...(reads?.meminfo ? { meminfo: meminfo(t.mm.system, memo.locked!) } : {}),
  };
}

/** The scenario's own share of Mlocked and Unevictable: the model knows no other process. */
function meminfo(sys: System, lp: LockedPages): NonNullable<Snapshot['meminfo']> {
  const n = lp.totals(sys);
  const all = new Set<MemObject>();
  for (const t of sys.tasks) if (t.alive) for (const o of t.mm.pt.objects) all.add(o);
  const why = n.unknown ? LARGE_FOLIO_UNKNOWN : unevictableUnknown(sys, all);
  return {
    mlocked: n.mlocked * PAGE_SIZE, unevictable: n.unevictable * PAGE_SIZE,
    ...(n.unknown ? { mlockedUnknown: LARGE_FOLIO_UNKNOWN } : {}), ...(why ? { unevictableUnknown: why } : {}),
  };
}
