// MADV_FREE then MADV_PAGEOUT of private anonymous memory (runtime/lazyfree.ts).
// Expected values: a C probe on 6.18.44 without swap, each case on a 4-page
// mapping written at offset 0 of every page with 7, between PROT_NONE guard pages:
// Rss from /proc/self/smaps, residency from mincore, then the bytes read back.
import t from 'tap';
import { KB, Pn, World } from './harness.js';
import {
  MADV, exitTask, fork, readByte, sysMadvise, sysMlock, sysMlock2, sysMprotect, sysMremap, sysMunlock, writeByte,
  type Task,
} from '../../runtime/index.js';

const N = 4;

function written(w: World, task?: Task): bigint {
  const p = w.map(N, 3, undefined, null, task ?? w.t);
  for (let i = 0n; i < BigInt(N); i++) writeByte(task ?? w.t, p + i * Pn, 7);
  return p;
}
const madv = (w: World, task: Task, p: bigint, pages: number, advice: number): string =>
  w.res(() => sysMadvise(task, p, BigInt(pages) * Pn, advice));
const bytes = (task: Task, p: bigint): number[] =>
  Array.from({ length: N }, (_, i) => { const r = readByte(task, p + BigInt(i) * Pn); return 'value' in r ? r.value : -1; });

t.test('FREE then PAGEOUT discards the pages without swap; a read gets 0', async (t) => {
  const w = new World();
  const p = written(w);
  t.equal(madv(w, w.t, p, N, MADV.FREE), 'ok');
  t.equal(w.one(p).rss, 16 * KB, 'FREE alone frees nothing');
  t.equal(w.resident(p, N), '####');
  t.equal(madv(w, w.t, p, N, MADV.PAGEOUT), 'ok');
  t.equal(w.one(p).rss, 0);
  t.equal(w.one(p).anonymous, 0);
  t.equal(w.resident(p, N), '....');
  t.same(bytes(w.t, p), [0, 0, 0, 0]);
  w.check();
});

t.test('FREE alone, or FREE then COLD: the data stays', async (t) => {
  const w = new World();
  const p = written(w);
  madv(w, w.t, p, N, MADV.FREE);
  madv(w, w.t, p, N, MADV.COLD);
  t.equal(w.one(p).rss, 16 * KB);
  t.equal(w.resident(p, N), '####');
  t.same(bytes(w.t, p), [7, 7, 7, 7]);
  // A read does not cancel the lazy free (probe: free, read, pageout -> Rss 0).
  madv(w, w.t, p, N, MADV.PAGEOUT);
  t.equal(w.one(p).rss, 0);
});

t.test('a write after FREE cancels it for that page only', async (t) => {
  const w = new World();
  const p = written(w);
  madv(w, w.t, p, N, MADV.FREE);
  writeByte(w.t, p + Pn + 5n, 9);
  madv(w, w.t, p, N, MADV.PAGEOUT);
  t.equal(w.one(p).rss, 4 * KB);
  t.equal(w.resident(p, N), '.#..');
  t.same(bytes(w.t, p), [0, 7, 0, 0]);
  // FREE, write, FREE again: lazyfree again (probe case 13: Rss 0).
  const q = written(w);
  madv(w, w.t, q, N, MADV.FREE);
  writeByte(w.t, q, 1);
  madv(w, w.t, q, N, MADV.FREE);
  madv(w, w.t, q, N, MADV.PAGEOUT);
  t.equal(w.one(q).rss, 0);
});

t.test('GUP with FOLL_WRITE keeps them: mlock of a writable VMA, POPULATE_WRITE; read-only GUP does not', async (t) => {
  const w = new World();
  const a = written(w);
  madv(w, w.t, a, N, MADV.FREE);
  w.res(() => sysMlock(w.t, a, BigInt(N) * Pn));
  t.equal(madv(w, w.t, a, N, MADV.PAGEOUT), 'EINVAL');
  w.res(() => sysMunlock(w.t, a, BigInt(N) * Pn));
  madv(w, w.t, a, N, MADV.PAGEOUT);
  t.equal(w.one(a).rss, 16 * KB, 'free, mlock (rw), munlock, pageout');
  const b = written(w);
  madv(w, w.t, b, N, MADV.FREE);
  madv(w, w.t, b, N, MADV.POPULATE_WRITE);
  madv(w, w.t, b, N, MADV.PAGEOUT);
  t.equal(w.one(b).rss, 16 * KB, 'free, populate_write, pageout');
  const c = written(w);
  madv(w, w.t, c, N, MADV.FREE);
  w.res(() => sysMprotect(w.t, c, BigInt(N) * Pn, 1n));
  w.res(() => sysMlock(w.t, c, BigInt(N) * Pn));
  w.res(() => sysMunlock(w.t, c, BigInt(N) * Pn));
  madv(w, w.t, c, N, MADV.PAGEOUT);
  t.equal(w.one(c).rss, 0, 'free, read-only, mlock, munlock, pageout');
  const d = written(w);
  madv(w, w.t, d, N, MADV.FREE);
  w.res(() => sysMlock2(w.t, d, BigInt(N) * Pn, 1n));
  w.res(() => sysMunlock(w.t, d, BigInt(N) * Pn));
  madv(w, w.t, d, N, MADV.PAGEOUT);
  t.equal(w.one(d).rss, 0, 'free, mlock2 ONFAULT, munlock, pageout');
  const e = written(w);
  madv(w, w.t, e, N, MADV.FREE);
  madv(w, w.t, e, N, MADV.POPULATE_READ);
  madv(w, w.t, e, N, MADV.PAGEOUT);
  t.equal(w.one(e).rss, 0, 'free, populate_read, pageout');
});

t.test('partial ranges, mremap', async (t) => {
  const w = new World();
  const p = written(w);
  madv(w, w.t, p, N, MADV.FREE);
  sysMadvise(w.t, p + Pn, 2n * Pn, MADV.PAGEOUT);
  t.equal(w.resident(p, N), '#..#');
  t.equal(w.one(p).rss, 8 * KB);
  const q = written(w);
  madv(w, w.t, q, 2, MADV.FREE);
  madv(w, w.t, q, N, MADV.PAGEOUT);
  t.equal(w.resident(q, N), '..##');
  const r = written(w);
  madv(w, w.t, r, N, MADV.FREE);
  const dst = w.map(N, 0);
  t.equal(w.res(() => sysMremap(w.t, r, BigInt(N) * Pn, BigInt(N) * Pn, 3n, dst)), 'ok');
  madv(w, w.t, dst, N, MADV.PAGEOUT);
  t.equal(w.one(dst).rss, 0, 'lazyfree pages stay lazyfree when moved');
});

t.test('fork: a page mapped twice is not paged out; the PTE copies stay clean or dirty', async (t) => {
  // Parent frees after the fork: kept while the child lives, discarded after it exits.
  {
    const w = new World();
    const p = written(w);
    const kid = fork(w.t, 'kid');
    madv(w, w.t, p, N, MADV.FREE);
    madv(w, w.t, p, N, MADV.PAGEOUT);
    t.equal(w.one(p).rss, 16 * KB, 'shared with the child');
    exitTask(kid);
    madv(w, w.t, p, N, MADV.PAGEOUT);
    t.equal(w.one(p).rss, 0, 'mapped once again');
  }
  // The child frees and exits: the parent's PTEs are still dirty.
  {
    const w = new World();
    const p = written(w);
    const kid = fork(w.t, 'kid');
    madv(w, kid, p, N, MADV.FREE);
    exitTask(kid);
    madv(w, w.t, p, N, MADV.PAGEOUT);
    t.equal(w.one(p).rss, 16 * KB, 'the parent never freed them');
    t.same(bytes(w.t, p), [7, 7, 7, 7]);
  }
  // Free before the fork: the child's PTEs are clean copies.
  {
    const w = new World();
    const p = written(w);
    madv(w, w.t, p, N, MADV.FREE);
    const kid = fork(w.t, 'kid');
    madv(w, kid, p, N, MADV.PAGEOUT);
    t.equal(w.one(p, kid).rss, 16 * KB, 'child: shared');
    writeByte(kid, p, 3); // COW: the child's page 0 is new and dirty
    madv(w, kid, p, N, MADV.PAGEOUT);
    t.equal(w.one(p, kid).rss, 16 * KB, 'child: its own page 0 is dirty, pages 1-3 shared');
    t.same(bytes(kid, p), [3, 7, 7, 7]);
    exitTask(kid);
    madv(w, w.t, p, N, MADV.PAGEOUT);
    t.equal(w.one(p).rss, 0, 'parent, after the child exits');
  }
  {
    const w = new World();
    const p = written(w);
    madv(w, w.t, p, N, MADV.FREE);
    const kid = fork(w.t, 'kid');
    exitTask(kid);
    madv(w, w.t, p, N, MADV.PAGEOUT);
    t.equal(w.one(p).rss, 0, 'free, fork, child exits, pageout');
  }
});

// Observed on 6.18.44 (scenarios/fuzz/mremap-dontunmap-strands-anon-mlock.mls, fuzz seed 20261206):
// mremap MREMAP_DONTUNMAP of part of a locked VMA leaves the rest PG_mlocked in an unlocked VMA.
t.test('pages mremap DONTUNMAP strands mlocked are neither lazyfree nor reclaimed until munlocked to 0', async (t) => {
  const w = new World();
  const p = written(w);
  t.equal(w.res(() => sysMlock(w.t, p, BigInt(N) * Pn)), 'ok');
  const dst = w.map(1, 0);
  t.equal(w.res(() => sysMremap(w.t, p, Pn, Pn, 1n | 2n | 4n, dst)), 'ok'); // MAYMOVE | FIXED | DONTUNMAP
  t.equal(w.one(p).locked, 0, 'the source VMA is unlocked');
  t.equal(w.one(p).rss, 12 * KB);
  madv(w, w.t, p, N, MADV.FREE);
  madv(w, w.t, p, N, MADV.PAGEOUT);
  t.equal(w.one(p).rss, 12 * KB, 'still mlocked: MADV_FREE skipped them, reclaim kept them');
  // mlock + munlock of page 1 now: its mlock_count went to 0 when PAGEOUT put it back, so it is freed.
  t.equal(w.res(() => sysMlock(w.t, p + Pn, Pn)), 'ok');
  t.equal(w.res(() => sysMunlock(w.t, p + Pn, Pn)), 'ok');
  madv(w, w.t, p, N, MADV.FREE);
  madv(w, w.t, p, N, MADV.PAGEOUT);
  t.equal(w.resident(p, N), '..##', 'page 0 moved away, page 1 discarded, pages 2-3 still mlocked');
});
