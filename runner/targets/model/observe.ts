// Snapshots of a model process, in the observation schema's terms: what
// /proc/pid/status, smaps, smaps_rollup, maps and mincore would show.
import type { RegionObservation, Snapshot, VmaObservation } from '../../../schema/generated/types.js';
import {
  PAGE_SIZE, mapsLineCount, mclFuture, mincore, rollupLocked, smaps, status, vmFlags,
} from '../../../runtime/index.js';
import { RmapCache } from '../../../runtime/rmap.js';
import type { Proc, Region } from './bindings.js';

const P = BigInt(PAGE_SIZE);

function regionObservation(p: Proc, r: Region, rmap: RmapCache): RegionObservation {
  const t = p.task, mm = t.mm;
  const endB = r.base + r.len;
  const sp = Number(r.base / P), ep = Number((endB + P - 1n) / P);
  const hit = r.len === 0n
    ? [mm.vmas.lookup(sp)].filter((v) => v !== undefined)
    : mm.vmas.overlapping(sp, ep);
  const vmas: VmaObservation[] = hit.map((v) => {
    const s = smaps(t, v, rmap);
    return {
      start: Number(BigInt(v.start) * P - r.base), end: Number(BigInt(v.end) * P - r.base),
      prot: v.prot(), shared: v.shared(), flags: vmFlags(t, v),
      rss: s.rss, pss: s.pss, locked: s.locked, anonymous: s.anonymous, anonHuge: s.anonHuge,
    };
  });
  // mincore over the pages of [base, base+len), as page indexes from the region's first page.
  const resident: Array<[number, number]> = [];
  if (r.len > 0n) mincore(mm, sp, ep).forEachIn(sp, ep, (a, b) => resident.push([a - sp, b - sp]));
  return { len: Number(r.len), vmas, resident };
}

export function snapshot(p: Proc): Snapshot {
  const t = p.task;
  const rmap = new RmapCache();
  const regions: Record<string, RegionObservation> = {};
  for (const [name, r] of p.boundRegions()) regions[name] = regionObservation(p, r, rmap);
  return {
    status: status(t),
    mapCount: mapsLineCount(t.mm),
    lockedTotal: rollupLocked(t),
    mclFuture: mclFuture(t.mm),
    regions,
  };
}
