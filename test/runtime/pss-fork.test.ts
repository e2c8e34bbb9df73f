// PSS after fork costs O(runs log segments), not O(runs x segments) (issue 14
// finding 9: 50,000 random writes and a fork made one `expect rss` take 40 s).
// Counted, not timed: the mapcount segments are wrapped to count every read.
import t from 'tap';
import { fork, smaps, touchPage } from '../../runtime/index.js';
import { mapcountSegments } from '../../runtime/rmap.js';
import type { MapcountSegments } from '../../runtime/pages.js';
import { P, Pn, World } from './harness.js';

t.test('smaps of a forked VMA with thousands of one-page runs reads each segment O(1) times', async (t) => {
  const w = new World();
  const pages = 8192;
  const a = w.map(pages);
  const vpn0 = Number(a / Pn);
  // Every other page: 4,096 runs that cannot join, each one a segment of mapcount 2 after the fork.
  let faults = 0;
  for (let i = 0; i < pages; i += 2) if (touchPage(w.t, vpn0 + i, true) === null) faults++;
  t.equal(faults, pages / 2);
  fork(w.t, 'kid');
  w.check();
  const obj = w.t.mm.pt.lookup(vpn0)!.obj;
  const segs = mapcountSegments(obj);
  t.equal(segs.length, pages / 2, 'one segment a written page');
  let reads = 0;
  obj.rmapCache!.segs = new Proxy(segs, {
    get(target, key, recv) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, recv);
    },
  }) as MapcountSegments;
  const v = w.t.mm.vmas.overlapping(vpn0, vpn0 + 1)[0]!;
  const view = smaps(w.t, v);
  t.equal(view.rss, (pages / 2) * P);
  t.equal(view.pss, (pages / 2) * (P / 2), 'each page shared by two processes counts half');
  // Before: 4,096 runs x 4,096 segments = 16.8 M reads. Now a binary search (13 reads) and one walk step a run.
  t.ok(reads < 20 * (pages / 2), `${reads} segment reads for ${pages / 2} runs`);
});
