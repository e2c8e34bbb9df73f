// Reference §11 cases 24–27, 36, 40–44, 69–71: who populates, zero page, COW,
// PSS-based Locked, fault-around on lock-on-fault file mappings. All [C] on 6.18.44.
import t from 'tap';
import { KB, Pn, World } from './harness.js';
import {
  MAP_LOCKED, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, fork, readByte, sysMlock, sysMlock2, sysMlockall, sysMmap,
  sysMprotect, sysMunlock, writeByte,
} from '../../runtime/index.js';

t.test('case 24–25: pages past EOF fail mlock after locking; MAP_LOCKED file PSS is shared', async (t) => {
  const w = new World();
  const f = w.file('f', 4096);
  const m = w.map(4, 3, MAP_SHARED, f);
  t.equal(w.res(() => sysMlock(w.t, m, 4n * Pn)), 'ENOMEM');
  t.equal(w.vmLck(), 16 * KB); t.ok(w.one(m).flags.includes('lo')); t.equal(w.one(m).rss, 4 * KB);
  const pr = w.map(4, 3, MAP_PRIVATE, f);
  t.equal(w.res(() => sysMlock(w.t, pr, 4n * Pn)), 'ENOMEM');
  t.equal(w.one(pr).rss, 4 * KB);
  const w2 = new World();
  const g = w2.file('g', 4096);
  // Another mapping of the file holds its one page.
  const other = w2.map(4, 3, MAP_SHARED, g);
  w2.call(() => { const r = readByte(w2.t, other); return 'value' in r ? { ok: true, value: 0n } : { ok: false, signal: r.signal }; });
  const r = w2.call(() => sysMmap(w2.t, { addr: 0n, len: 4n * Pn, prot: 3, flags: MAP_SHARED | MAP_LOCKED, file: g, offset: 0n }));
  t.ok(r.ok);
  const lk = w2.one((r as { value: bigint }).value);
  t.equal(lk.locked, 2 * KB, 'Locked is the PSS of the page mapped twice');
});

t.test('case 26–27: lock-on-fault locks on touch; munlock keeps pages', async (t) => {
  const w = new World();
  const p = w.map(4);
  w.res(() => sysMlock2(w.t, p, 4n * Pn, 1n));
  t.equal(w.vmLck(), 16 * KB); t.equal(w.one(p).rss, 0); t.ok(w.one(p).flags.includes('lf'));
  w.call(() => { const s = writeByte(w.t, p, 1); return s ? { ok: false, signal: s } : { ok: true, value: 0n }; });
  t.equal(w.one(p).rss, 4 * KB); t.equal(w.one(p).locked, 4 * KB);
  w.call(() => { const r = readByte(w.t, p + Pn); return 'value' in r ? { ok: true, value: 0n } : { ok: false, signal: r.signal }; });
  t.equal(w.one(p).rss, 4 * KB, 'a read maps the zero page');
  t.equal(w.resident(p, 4), '##..', 'mincore sees the zero page');
  w.res(() => sysMunlock(w.t, p, 4n * Pn));
  t.equal(w.vmLck(), 0); t.equal(w.one(p).rss, 4 * KB); t.equal(w.one(p).locked, 0);
  const q = w.map(4, 3, MAP_PRIVATE | 0x20 | MAP_LOCKED);
  w.res(() => sysMunlock(w.t, q, 4n * Pn));
  t.equal(w.one(q).rss, 16 * KB); t.equal(w.one(q).locked, 0);
});

t.test('case 36: a child reading shared locked pages halves the parent Locked', async (t) => {
  const w = new World();
  const p = w.mapShared(4);
  w.res(() => sysMlock(w.t, p, 4n * Pn));
  const kid = fork(w.t, 'kid');
  for (let i = 0n; i < 4n; i++) readByte(kid, p + i * Pn);
  const v = w.one(p);
  t.equal(v.rss, 16 * KB); t.equal(v.pss, 8 * KB); t.equal(v.locked, 8 * KB); t.equal(w.vmLck(), 16 * KB);
  t.notOk(w.one(p, kid).flags.includes('lo')); t.equal(w.vmLck(kid), 0);
});

t.test('case 40–42: what mlock faults in depends on prot and sharing', async (t) => {
  const w = new World();
  const r = w.map(4, 1);
  w.res(() => sysMlock(w.t, r, 4n * Pn));
  t.equal(w.one(r).rss, 0, 'PROT_READ private anon: zero page');
  w.res(() => sysMprotect(w.t, r, 4n * Pn, 3n));
  t.equal(w.one(r).rss, 16 * KB); t.equal(w.one(r).locked, 16 * KB);
  const u = w.map(4, 1);
  w.res(() => sysMprotect(w.t, u, 4n * Pn, 3n));
  t.equal(w.one(u).rss, 0, 'without mlock mprotect populates nothing');
  const o = w.map(4, 1);
  w.res(() => sysMlock2(w.t, o, 4n * Pn, 1n));
  w.res(() => sysMprotect(w.t, o, 4n * Pn, 3n));
  t.equal(w.one(o).rss, 0, 'ONFAULT: nothing');
  const wo = w.map(4, 2);
  w.res(() => sysMlock(w.t, wo, 4n * Pn));
  t.equal(w.one(wo).rss, 16 * KB, 'PROT_WRITE-only: write faults');
  const f = w.file('f', 4 * 4096);
  const rw = w.map(4, 3, MAP_PRIVATE, f);
  w.res(() => sysMlock(w.t, rw, 4n * Pn));
  t.equal(w.one(rw).anonymous, 16 * KB, 'RW private file: COW at mlock');
  const ro = w.map(4, 1, MAP_PRIVATE, f);
  w.res(() => sysMlock(w.t, ro, 4n * Pn));
  t.equal(w.one(ro).anonymous, 0);
  w.res(() => sysMprotect(w.t, ro, 4n * Pn, 3n));
  t.equal(w.one(ro).anonymous, 16 * KB);
});

t.test('case 43–44: ONFAULT in def_flags makes MAP_POPULATE a no-op; MCL_CURRENT drops lf', async (t) => {
  const w = new World();
  w.res(() => sysMlockall(w.t, 6n));
  const r = w.call(() => sysMmap(w.t, { addr: 0n, len: 4n * Pn, prot: 3, flags: MAP_PRIVATE | 0x20 | MAP_POPULATE, file: null, offset: 0n }));
  const p = (r as { value: bigint }).value;
  t.same(w.one(p).flags.filter((x) => x === 'lo' || x === 'lf'), ['lo', 'lf']); t.equal(w.one(p).rss, 0);
  w.res(() => sysMlockall(w.t, 5n));
  t.equal(w.one(p).rss, 0);
  w.res(() => sysMlockall(w.t, 1n));
  t.notOk(w.one(p).flags.includes('lf')); t.equal(w.one(p).rss, 16 * KB);
  const w2 = new World();
  w2.res(() => sysMlockall(w2.t, 2n));
  w2.res(() => sysMlockall(w2.t, 1n));
  const q = w2.map(4);
  t.notOk(w2.one(q).flags.includes('lo'), 'mlockall(CURRENT) after FUTURE turns FUTURE off');
});

t.test('case 69–70: PROT_NONE keeps locked pages; rollup Locked is the resident locked PSS', async (t) => {
  const w = new World();
  const p = w.map(4);
  w.res(() => sysMlock(w.t, p, 4n * Pn));
  w.res(() => sysMprotect(w.t, p, 4n * Pn, 0n));
  t.equal(w.one(p).rss, 16 * KB); t.equal(w.one(p).locked, 16 * KB); t.ok(w.one(p).flags.includes('lo'));
  w.res(() => sysMprotect(w.t, p, 4n * Pn, 1n));
  t.equal(w.one(p).rss, 16 * KB);
  const w2 = new World();
  const a = w2.map(4), b = w2.map(4);
  w2.res(() => sysMlock(w2.t, a, 4n * Pn));
  w2.res(() => sysMlock2(w2.t, b, 4n * Pn, 1n));
  t.equal(w2.rollup(), 16 * KB); t.equal(w2.vmLck(), 32 * KB);
});

t.test('case 71: fault-around locks the cached neighbours of a lock-on-fault file mapping', async (t) => {
  const w = new World();
  const f = w.file('f', 8 * 4096);
  const m = w.map(8, 1, MAP_PRIVATE, f);
  w.res(() => sysMlock2(w.t, m, 8n * Pn, 1n));
  readByte(w.t, m); readByte(w.t, m + 3n * Pn);
  t.equal(w.one(m).rss, 32 * KB); t.equal(w.one(m).locked, 32 * KB);
  w.res(() => sysMunlock(w.t, m + 4n * Pn, 4n * Pn));
  t.equal(w.vmas(m, 8n * Pn).length, 2); t.equal(w.vmLck(), 16 * KB);
});
