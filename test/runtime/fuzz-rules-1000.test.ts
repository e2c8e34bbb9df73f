// Rules found by `mls fuzz --seed 1000`. Expected values were observed on the test
// machine (Linux 6.18.44) with the host target (the shrunk scenarios in scenarios/fuzz/
// carry the same values), never taken from the model.
import t from 'tap';
import {
  MADV, MAP_ANONYMOUS, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE,
  sysMadvise, sysMlock, sysMremap, touchPage,
} from '../../runtime/index.js';
import { Pn, World } from './harness.js';

const flags = (f: number): bigint => BigInt(f);

t.test('a shrinking MREMAP_FIXED move asks neither RLIMIT_DATA nor RLIMIT_MEMLOCK (check_prep_vma)', async (t) => {
  const w = new World();
  const dst = w.map(64, 0);
  const m = w.map(52, 3);
  const data = w.t.rlimits.data;
  w.t.rlimits.data = { cur: Pn, max: data.max };
  // scenarios/fuzz/mremap-result-enomem-vs-ok.mls: ok, 16 pages at the destination.
  t.equal(w.res(() => sysMremap(w.t, m + 27n * Pn, 23n * Pn, 16n * Pn, flags(MREMAP_MAYMOVE | MREMAP_FIXED), dst)), 'ok');
  t.equal(w.vmas(dst, 16n * Pn).length, 1);
  w.t.rlimits.data = data;
  const l = w.map(57, 3);
  t.equal(w.res(() => sysMlock(w.t, l, 57n * Pn)), 'ok');
  w.noCap(0n);
  // scenarios/fuzz/mremap-result-eagain-vs-ok.mls: ok, the moved part stays locked.
  t.equal(w.res(() => sysMremap(w.t, l + 2n * Pn, 50n * Pn, 16n * Pn, flags(MREMAP_MAYMOVE | MREMAP_FIXED), dst + 20n * Pn)), 'ok');
  t.ok(w.one(dst + 20n * Pn).flags.includes('lo'));
});

t.test('MADV_PAGEOUT keeps the folios a DONTUNMAP move left mlocked (dontunmap_complete)', async (t) => {
  const w = new World();
  const a = w.map(26, 3, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE);
  const dst = w.map(8, 0);
  t.equal(w.res(() => sysMlock(w.t, a, 26n * Pn)), 'ok');
  t.equal(w.res(() => sysMremap(w.t, a + 20n * Pn, 6n * Pn, 6n * Pn, flags(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP), dst)), 'ok');
  t.equal(w.res(() => sysMadvise(w.t, a + Pn, 7n * Pn, MADV.PAGEOUT)), 'ok');
  // scenarios/fuzz/madvise-pageout-regions-vmas-rss-2.mls: 20 pages stay mapped at the source.
  t.equal(w.rss(a, 26n * Pn), 20 * 4096);
  t.equal(w.rss(dst, 6n * Pn), 6 * 4096);
});

t.test('fault-around skips folios PAGEOUT left with PG_reclaim; a fault clears it (next_uptodate_folio)', async (t) => {
  const w = new World();
  const f = w.file('f1', 32 * 4096); // written by write(2): dirty
  const a = w.map(32, 1, MAP_SHARED | MAP_POPULATE, f);
  t.equal(w.res(() => sysMadvise(w.t, a, 32n * Pn, MADV.PAGEOUT)), 'ok');
  t.equal(w.rss(a, 32n * Pn), 0);
  t.equal(w.resident(a, 32), '#'.repeat(32), 'dirty: still cached');
  const vpn = Number(a / Pn);
  touchPage(w.t, vpn + 4, false);
  t.equal(w.rss(a, 32n * Pn), 4096, 'no neighbour mapped');
  t.equal(w.res(() => sysMadvise(w.t, a + 4n * Pn, Pn, MADV.DONTNEED)), 'ok');
  touchPage(w.t, vpn + 5, false);
  t.equal(w.rss(a, 32n * Pn), 2 * 4096, 'page 4 lost its mark with its fault');
});

t.test('MADV_WILLNEED reads a regular file range in up to EOF, holes too (force_page_cache_ra)', async (t) => {
  const w = new World();
  const f = w.file('f1', 4096);
  f.sizeBytes = 2n * Pn; // truncate up: page 1 is a hole
  const a = w.map(2, 3, MAP_PRIVATE, f);
  t.equal(w.res(() => sysMadvise(w.t, a, 2n * Pn, MADV.WILLNEED)), 'ok');
  t.equal(w.resident(a, 2), '##');
  t.equal(w.rss(a, 2n * Pn), 0, 'nothing mapped');
  const s = w.map(4, 3, MAP_SHARED | MAP_ANONYMOUS);
  t.equal(w.res(() => sysMadvise(w.t, s, 4n * Pn, MADV.WILLNEED)), 'ok');
  t.equal(w.resident(s, 4), '....', 'shmem without swap: nothing');
});
