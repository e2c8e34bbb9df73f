// sameSnapshot (runner/targets/host/snapshot.ts): the one-pass snapshot against the reference
// form read right after it. Between the two reads khugepaged may collapse a THP VMA's pages
// (seen in CI: AnonHugePages 0 then 2048 kB on a locked MADV_HUGEPAGE block); that, and only that, is
// not a difference.
import t from 'tap';
import type { RegionObservation, Snapshot, VmaObservation } from '../../schema/generated/types.js';
import { sameSnapshot } from '../../runner/targets/host/snapshot.js';

const M = 2 * 1024 * 1024;
const vma = (o: Partial<VmaObservation> = {}): VmaObservation => ({
  start: M, end: 2 * M, prot: 'rw-', shared: false, flags: ['rd', 'wr', 'mr', 'mw', 'me', 'lo', 'ac', 'hg'],
  rss: M, pss: M, locked: M, anonymous: M, anonHuge: 0, ...o,
});
const snap = (v: VmaObservation): Snapshot => {
  const arena: RegionObservation = { len: 2 * M, vmas: [v], resident: [[512, 1024]] };
  return {
    status: { VmLck: M, VmPin: 0, VmSize: 8 * M, VmRSS: M } as Snapshot['status'],
    mapCount: 20, lockedTotal: M, mclFuture: 'off', regions: { arena },
  };
};

t.equal(sameSnapshot(snap(vma()), snap(vma())), undefined, 'equal snapshots');
t.equal(sameSnapshot(snap(vma()), snap(vma({ anonHuge: M }))), undefined, 'a collapse between the reads (0 → 2 MB) is no difference');
t.match(sameSnapshot(snap(vma({ anonHuge: M })), snap(vma())), /region arena/, 'a huge page that vanished is one');
t.match(sameSnapshot(snap(vma()), snap(vma({ anonHuge: 4096 }))), /region arena/, 'growth by less than a PMD is one');
t.match(sameSnapshot(snap(vma()), snap(vma({ anonHuge: M, rss: M / 2 }))), /region arena/, 'a collapse with another change is one');
