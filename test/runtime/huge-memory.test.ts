// Transparent huge pages (runtime/huge-memory.ts). Expected values: probes on the
// test machine (6.18.44, THP enabled=madvise, use_zero_page=1; /tmp C probes
// reading smaps AnonHugePages, Rss, Pss, Locked and mincore) and reference §11
// case 67. The `always`/`never` modes cannot be switched on the host target (it
// never writes sysctls): their tests check the equivalence mm/huge_memory.c
// states (always: every anonymous VMA behaves as a VM_HUGEPAGE one; never: none
// does), against values observed for VM_HUGEPAGE and plain VMAs under `madvise`.
import t from 'tap';
import { KB, Pn, World } from './harness.js';
import {
  MADV, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MREMAP_FIXED, MREMAP_MAYMOVE, exitTask, fork, readByte, sysMadvise,
  sysMlock, sysMlock2, sysMmap, sysMprotect, sysMremap, sysMunlock, sysMunmap, writeByte, type Task,
} from '../../runtime/index.js';
import type { ThpMode } from '../../runtime/huge-memory.js';

const M2 = 2n << 20n;
const MB2 = 2048 * KB;
const anon = MAP_PRIVATE | MAP_ANONYMOUS;

/** A 2 MiB-aligned private anonymous mapping (thp_get_unmapped_area aligns multiples of 2 MiB). */
function hmap(w: World, bytes: bigint, hugepage = true, task: Task = w.t, prot = 3): bigint {
  const r = w.call(() => sysMmap(task, { addr: 0n, len: bytes, prot, flags: anon, file: null, offset: 0n }));
  if (!r.ok) throw new Error('mmap failed');
  if (r.value % M2 !== 0n) throw new Error('not 2 MiB aligned');
  if (hugepage) w.res(() => sysMadvise(task, r.value, bytes, MADV.HUGEPAGE));
  return r.value;
}
const sum = (w: World, a: bigint, len: bigint, k: 'rss' | 'pss' | 'locked' | 'anonHuge', task?: Task): number =>
  w.vmas(a, len, task).reduce((s, v) => s + v[k], 0);
const touch = (w: World, addr: bigint, task?: Task): void => { writeByte(task ?? w.t, addr, 1); w.check(); };

t.test('case 67: mlock populates one huge page; munlock of one page splits VMA and PMD', async (t) => {
  const w = new World();
  const a = hmap(w, 2n * M2);
  t.equal(w.res(() => sysMlock(w.t, a, M2)), 'ok');
  t.match(w.one(a), { anonHuge: MB2, locked: MB2, rss: MB2 });
  t.equal(w.vmLck(), MB2);
  t.equal(w.res(() => sysMunlock(w.t, a + 5n * Pn, Pn)), 'ok');
  const v = w.vmas(a, 2n * M2);
  t.equal(v.length, 4);
  t.same(v.map((x) => [x.rss / KB, x.locked / KB, x.anonHuge]), [[20, 20, 0], [4, 0, 0], [2024, 2024, 0], [0, 0, 0]]);
  t.equal(w.vmLck(), MB2 - 4 * KB);
});

t.test('one write maps 2 MiB; a read maps the huge zero page; a write to it allocates a folio', async (t) => {
  const w = new World();
  const a = hmap(w, 2n * M2);
  touch(w, a + 5n * Pn);
  t.match(w.one(a), { rss: MB2, anonHuge: MB2, anonymous: MB2 });
  t.same(readByte(w.t, a + 519n * Pn), { value: 0 });
  w.check();
  t.match(w.one(a), { rss: MB2, anonHuge: MB2 });
  t.equal(w.resident(a, 1024), '#'.repeat(1024));
  touch(w, a + 521n * Pn);
  t.match(w.one(a), { rss: 2 * MB2, anonHuge: 2 * MB2 });
});

t.test('mprotect splits the PMD for good; DONTNEED of part splits, of a whole block drops it', async (t) => {
  const w = new World();
  const a = hmap(w, M2);
  touch(w, a);
  w.res(() => sysMprotect(w.t, a + 3n * Pn, Pn, 1n));
  t.same(w.vmas(a, M2).map((v) => [v.rss / KB, v.anonHuge]), [[12, 0], [4, 0], [2032, 0]]);
  w.res(() => sysMprotect(w.t, a + 3n * Pn, Pn, 3n));
  t.match(w.vmas(a, M2), [{ rss: MB2, anonHuge: 0 }]);
  w.res(() => sysMunmap(w.t, a, M2)); // an equal neighbour would merge with the next mapping
  const b = hmap(w, 2n * M2);
  touch(w, b);
  w.res(() => sysMadvise(w.t, b + 4n * Pn, 4n * Pn, MADV.DONTNEED));
  t.match(w.one(b), { rss: MB2 - 16 * KB, anonHuge: 0 });
  t.equal(w.resident(b, 512), '####....' + '#'.repeat(504));
  touch(w, b + M2);
  w.res(() => sysMadvise(w.t, b + M2, M2, MADV.DONTNEED));
  t.match(w.one(b), { rss: MB2 - 16 * KB, anonHuge: 0 });
  touch(w, b + M2 + Pn);
  t.match(w.one(b), { rss: 2 * MB2 - 16 * KB, anonHuge: MB2 }, 'pmd_none again after zap_huge_pmd');
});

t.test('a PTE table left in the block keeps faults small; munmap frees it', async (t) => {
  const w = new World();
  const c = hmap(w, M2, false);
  touch(w, c);
  w.res(() => sysMadvise(w.t, c, Pn, MADV.DONTNEED));
  w.res(() => sysMadvise(w.t, c, M2, MADV.HUGEPAGE));
  touch(w, c + Pn);
  t.match(w.one(c), { rss: 4 * KB, anonHuge: 0 }, 'zapped, table kept');
  w.res(() => sysMunmap(w.t, c, M2));
  const d = hmap(w, M2, false);
  t.same(readByte(w.t, d), { value: 0 });
  w.res(() => sysMadvise(w.t, d, M2, MADV.HUGEPAGE));
  touch(w, d + Pn);
  t.match(w.one(d), { rss: 4 * KB, anonHuge: 0 }, 'zero-page PTE first');
  w.res(() => sysMunmap(w.t, d, M2));
  // munmap + mmap again at the same place, or MAP_FIXED over it: free_pgtables dropped the table.
  const e = hmap(w, M2, false);
  touch(w, e);
  w.res(() => sysMmap(w.t, { addr: e, len: M2, prot: 3, flags: anon | MAP_FIXED, file: null, offset: 0n }));
  w.res(() => sysMadvise(w.t, e, M2, MADV.HUGEPAGE));
  touch(w, e + Pn);
  t.match(w.one(e), { rss: MB2, anonHuge: MB2 });
});

t.test('fork shares huge pages; a write to a shared one splits it and copies 4 KiB', async (t) => {
  const w = new World();
  const a = hmap(w, 2n * M2);
  touch(w, a); touch(w, a + M2);
  const kid = fork(w.t, 'kid');
  w.check();
  t.match(w.one(a, kid), { rss: 2 * MB2, pss: MB2, anonHuge: 2 * MB2 });
  touch(w, a + 3n * Pn, kid);
  t.match(w.one(a, kid), { rss: 2 * MB2, pss: 2050 * KB, anonHuge: MB2 });
  exitTask(kid);
  w.check();
  t.match(w.one(a), { pss: 2 * MB2, anonHuge: 2 * MB2 }, 'exclusive again: reused, not split');
  const kid2 = fork(w.t, 'kid2');
  touch(w, a + 5n * Pn);
  t.match(w.one(a), { rss: 2 * MB2, pss: 2050 * KB, anonHuge: MB2 });
  t.match(w.one(a, kid2), { pss: 2050 * KB, anonHuge: 2 * MB2 });
});

// Probe on 6.18.44 (fuzz seed 25 #1007): after the fork the parent's partial FREE leaves
// smaps LazyFree 0 kB; the child's DONTNEED of pages 15-509 splits only its PMD (Rss
// 68 kB); the parent's PAGEOUT of pages 262-476 leaves Rss and AnonHugePages 2048 kB,
// Pss 2014 kB. With the child gone the same PAGEOUT splits the folio and keeps the
// written pages (none was lazyfree).
t.test('a huge page a fork child maps in part is neither made lazyfree nor paged out', async (t) => {
  const w = new World();
  const a = hmap(w, M2);
  touch(w, a + 288n * Pn); touch(w, a + 388n * Pn);
  const kid = fork(w.t, 'kid');
  w.res(() => sysMadvise(w.t, a + 2n * Pn, 508n * Pn, MADV.FREE));
  t.match(w.one(a), { rss: MB2, anonHuge: MB2 });
  w.res(() => sysMadvise(kid, a + 15n * Pn, 495n * Pn, MADV.DONTNEED));
  t.match(w.one(a, kid), { rss: 68 * KB, anonHuge: 0 });
  w.res(() => sysMadvise(w.t, a + 262n * Pn, 215n * Pn, MADV.PAGEOUT));
  t.match(w.one(a), { rss: MB2, pss: 2014 * KB, anonHuge: MB2 });
  w.check();
  exitTask(kid);
  w.res(() => sysMadvise(w.t, a + 262n * Pn, 215n * Pn, MADV.PAGEOUT));
  t.match(w.one(a), { rss: 8 * KB, anonHuge: 0 });
  t.same(readByte(w.t, a + 288n * Pn), { value: 1 });
  w.check();
});

t.test('a lazyfree huge page a fork child maps in part is kept by PAGEOUT until the child is gone', async (t) => {
  const w = new World();
  const a = hmap(w, M2);
  touch(w, a + 288n * Pn);
  w.res(() => sysMadvise(w.t, a, M2, MADV.FREE));
  const kid = fork(w.t, 'kid');
  w.res(() => sysMadvise(kid, a + 15n * Pn, 495n * Pn, MADV.DONTNEED));
  w.res(() => sysMadvise(w.t, a + 262n * Pn, 215n * Pn, MADV.PAGEOUT));
  t.match(w.one(a), { rss: MB2, anonHuge: MB2 });
  exitTask(kid);
  w.res(() => sysMadvise(w.t, a + 262n * Pn, 215n * Pn, MADV.PAGEOUT));
  t.match(w.one(a), { rss: 0, anonHuge: 0 });
  t.same(readByte(w.t, a + 288n * Pn), { value: 0 });
  w.check();
});

t.test('mremap: aligned moves keep the PMD, unaligned ones split it; growth and shrink in place', async (t) => {
  const w = new World();
  const a = hmap(w, M2);
  touch(w, a);
  const d = hmap(w, 2n * M2, false);
  const r = w.call(() => sysMremap(w.t, a, M2, M2, BigInt(MREMAP_MAYMOVE | MREMAP_FIXED), d));
  t.ok(r.ok);
  t.match(w.one(d), { rss: MB2, anonHuge: MB2 });
  const u = d + M2 + 4n * Pn;
  w.call(() => sysMremap(w.t, d, M2, M2, BigInt(MREMAP_MAYMOVE | MREMAP_FIXED), u));
  t.match(w.vmas(u, M2), [{ rss: MB2, anonHuge: 0 }]);
  const g = hmap(w, 2n * M2, false);
  w.res(() => sysMunmap(w.t, g + M2, M2));
  w.res(() => sysMadvise(w.t, g, M2, MADV.HUGEPAGE));
  touch(w, g);
  t.equal(w.res(() => sysMremap(w.t, g, M2, 2n * M2, 0n, 0n)), 'ok');
  touch(w, g + M2 + 3n);
  t.match(w.one(g), { rss: 2 * MB2, anonHuge: 2 * MB2 });
  w.res(() => sysMremap(w.t, g, 2n * M2, M2 - 4n * Pn, 0n, 0n));
  t.match(w.one(g), { rss: MB2 - 16 * KB, anonHuge: 0 });
});

t.test('only blocks wholly inside the VMA; ONFAULT; NOHUGEPAGE; a hole in a block', async (t) => {
  const w = new World();
  const a = hmap(w, 4n * M2);
  w.res(() => sysMlock(w.t, a + Pn, 4n * M2 - 2n * Pn));
  t.match(w.vmas(a, 4n * M2).map((v) => v.anonHuge), [0, 2 * MB2, 0]);
  t.equal(sum(w, a, 4n * M2, 'rss'), 8184 * KB);
  const b = hmap(w, 4n * M2);
  w.res(() => sysMlock2(w.t, b, 4n * M2, 1n));
  touch(w, b + 3n);
  t.match(w.one(b), { rss: MB2, anonHuge: MB2, locked: MB2 });
  t.equal(w.vmLck(), 8184 * KB + 8192 * KB);
  const c = hmap(w, 2n * M2);
  touch(w, c);
  w.res(() => sysMadvise(w.t, c, 2n * M2, MADV.NOHUGEPAGE));
  touch(w, c + M2);
  t.match(w.one(c), { rss: MB2 + 4 * KB, anonHuge: MB2 });
  const d = hmap(w, 2n * M2);
  w.res(() => sysMunmap(w.t, d, Pn));
  touch(w, d + M2 - 1n); touch(w, d + M2 + 1n);
  t.match(w.one(d + Pn), { rss: MB2 + 4 * KB, anonHuge: MB2 });
});

t.test('a read-only locked range holds the huge zero page until mprotect makes it writable', async (t) => {
  const w = new World();
  const a = hmap(w, 2n * M2, true, undefined, 1);
  w.res(() => sysMlock(w.t, a, M2));
  t.match(w.one(a), { rss: 0, locked: 0, anonHuge: 0 });
  t.equal(w.resident(a, 1024), '#'.repeat(512) + '.'.repeat(512));
  t.equal(w.vmLck(), MB2);
  w.res(() => sysMprotect(w.t, a, M2, 3n));
  t.match(w.one(a), { rss: MB2, locked: MB2, anonHuge: MB2 });
  // A huge zero PMD split by mprotect becomes zero-page PTEs: a write then maps 4 KiB.
  const z = hmap(w, 2n * M2);
  t.same(readByte(w.t, z), { value: 0 });
  w.res(() => sysMprotect(w.t, z + 4n * Pn, Pn, 1n));
  touch(w, z + Pn);
  t.equal(sum(w, z, 2n * M2, 'rss'), 4 * KB);
  t.equal(w.resident(z, 512), '#'.repeat(512));
});

function modeWorld(mode: ThpMode): World {
  const w = new World();
  w.sys.thp = mode;
  return w;
}

t.test('always: a plain anonymous VMA behaves as a VM_HUGEPAGE one under madvise', async (t) => {
  const w = modeWorld('always');
  const a = hmap(w, 2n * M2, false);
  touch(w, a + 5n * Pn);
  t.match(w.one(a), { rss: MB2, anonHuge: MB2 });
  w.res(() => sysMadvise(w.t, a, 2n * M2, MADV.NOHUGEPAGE));
  touch(w, a + M2);
  t.match(w.one(a), { rss: MB2 + 4 * KB, anonHuge: MB2 }, 'VM_NOHUGEPAGE still opts out');
});

t.test('never: a VM_HUGEPAGE VMA behaves as a plain one under madvise', async (t) => {
  const w = modeWorld('never');
  const a = hmap(w, 2n * M2);
  touch(w, a + 5n * Pn);
  t.match(w.one(a), { rss: 4 * KB, anonHuge: 0 });
  w.res(() => sysMlock(w.t, a, M2));
  t.match(w.one(a), { rss: MB2, anonHuge: 0, locked: MB2 });
});
