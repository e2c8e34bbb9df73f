// Reference §11 cases 45, 47–55: mremap of locked and lock-on-fault VMAs,
// including the 6.18 MREMAP_DONTUNMAP locked_vm leak. All [C] on 6.18.44.
import t from 'tap';
import { KB, Pn, World } from './harness.js';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, sysMlock, sysMlock2, sysMlockall, sysMmap, sysMremap, sysMunlock, sysMunlockall,
  sysMunmap, writeByte,
} from '../../runtime/index.js';

const MAYMOVE = 1n, FIXED = 2n, DONTUNMAP = 4n;

t.test('case 45: growth of an old unlocked VMA under MCL_FUTURE stays unlocked', async (t) => {
  const w = new World();
  const p = w.map(4);
  w.res(() => sysMlockall(w.t, 2n));
  t.equal(w.res(() => sysMremap(w.t, p, 4n * Pn, 8n * Pn, MAYMOVE, 0n)), 'ok');
  t.equal(w.vmLck(), 0);
});

t.test('case 47–48: grow in place and shrink; ONFAULT is kept and the tail is not populated', async (t) => {
  const w = new World();
  const p = w.map(8);
  w.res(() => sysMunmap(w.t, p + 4n * Pn, 4n * Pn));
  w.res(() => sysMlock(w.t, p, 4n * Pn));
  const r = w.call(() => sysMremap(w.t, p, 4n * Pn, 8n * Pn, 0n, 0n));
  t.same(r, { ok: true, value: p, address: true });
  t.equal(w.vmLck(), 32 * KB); t.equal(w.one(p).rss, 32 * KB);
  t.equal(w.res(() => sysMremap(w.t, p, 8n * Pn, 3n * Pn, 0n, 0n)), 'ok');
  t.equal(w.vmLck(), 12 * KB);
  const w2 = new World();
  const q = w2.map(8);
  w2.res(() => sysMunmap(w2.t, q + 4n * Pn, 4n * Pn));
  w2.res(() => sysMlock2(w2.t, q, 4n * Pn, 1n));
  writeByte(w2.t, q, 1);
  w2.res(() => sysMremap(w2.t, q, 4n * Pn, 8n * Pn, 0n, 0n));
  t.equal(w2.vmLck(), 32 * KB); t.equal(w2.one(q).rss, 4 * KB); t.ok(w2.one(q).flags.includes('lf'));
});

t.test('case 49–51: moves and MREMAP_FIXED onto locked or PROT_NONE destinations', async (t) => {
  const w = new World();
  const p = w.map(8);
  w.res(() => neighbourAt(w, p + 4n * Pn));
  w.res(() => sysMlock(w.t, p, 4n * Pn));
  t.equal(w.res(() => sysMremap(w.t, p, 4n * Pn, 8n * Pn, 0n, 0n)), 'ENOMEM', 'a neighbour blocks in-place growth');
  const r = w.call(() => sysMremap(w.t, p, 4n * Pn, 8n * Pn, MAYMOVE, 0n));
  t.ok(r.ok);
  const n = (r as { value: bigint }).value;
  t.equal(w.vmLck(), 32 * KB); t.equal(w.one(n).rss, 32 * KB); t.equal(w.vmas(p, 4n * Pn).length, 0);
  const w2 = new World();
  const src = w2.map(4), dst = w2.map(4);
  w2.res(() => sysMlock(w2.t, src, 4n * Pn)); w2.res(() => sysMlock(w2.t, dst, 4n * Pn));
  t.equal(w2.res(() => sysMremap(w2.t, src, 4n * Pn, 4n * Pn, MAYMOVE | FIXED, dst)), 'ok');
  t.equal(w2.vmLck(), 16 * KB); t.ok(w2.one(dst).flags.includes('lo')); t.equal(w2.one(dst).rss, 16 * KB);
  const w3 = new World();
  const s3 = w3.map(4), ph = w3.map(8, 0);
  w3.res(() => sysMlock(w3.t, s3, 4n * Pn));
  t.equal(w3.res(() => sysMremap(w3.t, s3, 4n * Pn, 8n * Pn, MAYMOVE | FIXED, ph)), 'ok');
  t.equal(w3.vmLck(), 32 * KB); t.equal(w3.one(ph).rss, 32 * KB);
});

t.test('case 52: growing a locked VMA past the limit is EAGAIN', async (t) => {
  const w = new World();
  const p = w.map(10);
  w.res(() => sysMunmap(w.t, p + 6n * Pn, 4n * Pn));
  w.noCap(8n * Pn);
  w.res(() => sysMlock(w.t, p, 6n * Pn));
  t.equal(w.res(() => sysMremap(w.t, p, 6n * Pn, 10n * Pn, 0n, 0n)), 'EAGAIN');
  t.equal(w.res(() => sysMremap(w.t, p, 6n * Pn, 10n * Pn, MAYMOVE, 0n)), 'EAGAIN');
  t.equal(w.res(() => sysMremap(w.t, p, 6n * Pn, 8n * Pn, 0n, 0n)), 'ok');
  t.equal(w.vmLck(), 32 * KB);
});

t.test('case 53–54: MREMAP_DONTUNMAP leaks locked_vm on 6.18', async (t) => {
  const w = new World();
  const p = w.map(4);
  w.res(() => sysMlock(w.t, p, 4n * Pn));
  const r = w.call(() => sysMremap(w.t, p, 4n * Pn, 4n * Pn, MAYMOVE | DONTUNMAP, 0n));
  t.ok(r.ok);
  const n = (r as { value: bigint }).value;
  t.ok(w.one(n).flags.includes('lo')); t.notOk(w.one(p).flags.includes('lo')); t.equal(w.one(p).rss, 0);
  t.equal(w.vmLck(), 32 * KB);
  w.res(() => sysMunmap(w.t, p, 4n * Pn));
  t.equal(w.vmLck(), 32 * KB, 'unmapping the old VMA gives nothing back');
  w.res(() => sysMunmap(w.t, n, 4n * Pn));
  t.equal(w.vmLck(), 16 * KB);
  w.res(() => sysMunlockall(w.t));
  t.equal(w.vmLck(), 16 * KB, 'munlockall leaves the leak');
  const w2 = new World();
  const q = w2.map(6);
  w2.noCap(8n * Pn);
  w2.res(() => sysMlock(w2.t, q, 6n * Pn));
  const r2 = w2.call(() => sysMremap(w2.t, q, 6n * Pn, 6n * Pn, MAYMOVE | DONTUNMAP, 0n));
  t.ok(r2.ok); t.equal(w2.vmLck(), 48 * KB, 'past the limit: no check for DONTUNMAP');
  t.equal(w2.res(() => sysMlock(w2.t, q, Pn)), 'ENOMEM');
  w2.res(() => sysMunlock(w2.t, (r2 as { value: bigint }).value, 6n * Pn));
  t.equal(w2.vmLck(), 24 * KB);
});

t.test('case 55: old_len 0 duplicates a shared locked mapping; private is EINVAL', async (t) => {
  const w = new World();
  const s = w.mapShared(4);
  w.res(() => sysMlock(w.t, s, 4n * Pn));
  const r = w.call(() => sysMremap(w.t, s, 0n, 4n * Pn, MAYMOVE, 0n));
  t.ok(r.ok);
  const d = (r as { value: bigint }).value;
  t.ok(w.one(d).flags.includes('lo')); t.equal(w.vmLck(), 32 * KB); t.equal(w.one(d).rss, 16 * KB);
  const p = w.map(4);
  t.equal(w.res(() => sysMremap(w.t, p, 0n, 4n * Pn, MAYMOVE, 0n)), 'EINVAL');
});

/** A read-only neighbour at `at` (different prot: no merge). */
function neighbourAt(w: World, at: bigint) {
  return sysMmap(w.t, { addr: at, len: 4n * Pn, prot: 1, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, file: null, offset: 0n });
}
