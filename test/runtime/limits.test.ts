// Reference §11 cases 8, 13–23, 37–39: holes and partial application without
// rollback, RLIMIT_MEMLOCK with count_mm_mlocked_page_nr, MAP_LOCKED / MCL_FUTURE
// under the limit, populate errors (EFAULT→ENOMEM). All [C] on 6.18.44.
import t from 'tap';
import { KB, Pn, World } from './harness.js';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_LOCKED, MAP_PRIVATE, mclFuture, status, sysBrk, sysMlock, sysMlock2, sysMlockall,
  sysMmap, sysMprotect, sysMunlock,
} from '../../runtime/index.js';

const anon = MAP_PRIVATE | MAP_ANONYMOUS;

t.test('case 8: a range ending in a hole locks the VMA, fails, and does not populate', async (t) => {
  const w = new World();
  const p = w.map(4);
  t.equal(w.res(() => sysMlock(w.t, p, 1n << 60n)), 'ENOMEM');
  t.same(w.one(p).flags.includes('lo'), true);
  t.equal(w.vmLck(), 16 * KB);
  t.equal(w.one(p).rss, 0);
});

t.test('case 13–14: holes in the middle, no rollback, split of the first VMA', async (t) => {
  const w = new World();
  const a = w.map(5);
  w.res(() => sysMprotect(w.t, a + 2n * Pn, Pn, 0n));
  // Layout A=[0,2) hole B=[3,5): unmap page 2.
  w.res(() => sysMunlock(w.t, a, 0n));
  const { sysMunmap } = await import('../../runtime/index.js');
  w.res(() => sysMunmap(w.t, a + 2n * Pn, Pn));
  t.equal(w.res(() => sysMlock(w.t, a, 5n * Pn)), 'ENOMEM');
  t.ok(w.one(a).flags.includes('lo')); t.notOk(w.one(a + 3n * Pn).flags.includes('lo'));
  t.equal(w.vmLck(), 8 * KB);
  t.equal(w.res(() => sysMunlock(w.t, a, 5n * Pn)), 'ENOMEM');
  t.notOk(w.one(a).flags.includes('lo'));
  t.equal(w.res(() => sysMlock(w.t, a + 2n * Pn, 3n * Pn)), 'ENOMEM', 'starting in the hole changes nothing');
  t.equal(w.vmLck(), 0);
  t.equal(w.res(() => sysMlock(w.t, a + Pn, 2n * Pn)), 'ENOMEM');
  t.equal(w.vmLck(), 4 * KB);
  t.notOk(w.one(a).flags.includes('lo')); t.ok(w.one(a + Pn).flags.includes('lo'));
  t.equal(w.vmas(a, 2n * Pn).length, 2);
});

t.test('case 15–16: the limit discounts already-locked pages of the range', async (t) => {
  const w = new World();
  const p = w.map(10);
  w.noCap(8n * Pn);
  t.equal(w.res(() => sysMlock(w.t, p, 9n * Pn)), 'ENOMEM');
  t.equal(w.res(() => sysMlock(w.t, p, 6n * Pn)), 'ok'); t.equal(w.vmLck(), 24 * KB);
  t.equal(w.res(() => sysMlock(w.t, p + 2n * Pn, 8n * Pn)), 'ENOMEM');
  t.equal(w.res(() => sysMlock(w.t, p, 8n * Pn)), 'ok'); t.equal(w.vmLck(), 32 * KB);
  t.equal(w.res(() => sysMlock(w.t, p, 8n * Pn)), 'ok');
  w.noCap(2n * Pn);
  t.equal(w.res(() => sysMlock(w.t, p, 8n * Pn)), 'ENOMEM', 'limit below locked_vm');
  t.equal(w.res(() => sysMunlock(w.t, p, 8n * Pn)), 'ok');
});

t.test('case 17–18: ONFAULT counts the virtual size; the byte limit rounds down', async (t) => {
  const w = new World();
  const p = w.map(9);
  w.noCap(8n * Pn);
  t.equal(w.res(() => sysMlock2(w.t, p, 9n * Pn, 1n)), 'ENOMEM');
  t.equal(w.res(() => sysMlock2(w.t, p, 8n * Pn, 1n)), 'ok');
  t.equal(w.vmLck(), 32 * KB); t.equal(w.rss(p, 8n * Pn), 0);
  const w2 = new World();
  const q = w2.map(9);
  w2.noCap(8n * Pn + 100n);
  t.equal(w2.res(() => sysMlock(w2.t, q, 9n * Pn)), 'ENOMEM');
});

t.test('case 19–20: MAP_LOCKED is EAGAIN past the limit, and MAP_FIXED does not discount what it replaces', async (t) => {
  const w = new World();
  w.noCap(8n * Pn);
  const mm = (addr: bigint, pages: number, flags: number) => w.call(() => sysMmap(w.t, { addr, len: BigInt(pages) * Pn, prot: 3, flags, file: null, offset: 0n }));
  const r9 = mm(0n, 9, anon | MAP_LOCKED);
  t.same(r9, { ok: false, errno: 'EAGAIN' });
  const r = mm(0n, 6, anon | MAP_LOCKED);
  t.ok(r.ok);
  const p = (r as { value: bigint }).value;
  t.same(mm(p, 6, anon | MAP_LOCKED | MAP_FIXED), { ok: false, errno: 'EAGAIN' });
  t.ok(mm(p, 2, anon | MAP_LOCKED | MAP_FIXED).ok);
  t.equal(w.vmLck(), 24 * KB);
  t.ok(mm(p, 6, anon | MAP_FIXED).ok);
  t.equal(w.vmLck(), 0);
});

t.test('case 21, 37–38: PROT_NONE is locked and counted, and population fails with ENOMEM in order', async (t) => {
  const w = new World();
  const r = w.call(() => sysMmap(w.t, { addr: 0n, len: 8n * Pn, prot: 0, flags: anon | MAP_LOCKED, file: null, offset: 0n }));
  t.ok(r.ok); t.equal(w.vmLck(), 32 * KB);
  const n = w.map(4, 0);
  t.equal(w.res(() => sysMlock(w.t, n, 4n * Pn)), 'ENOMEM');
  t.ok(w.one(n).flags.includes('lo')); t.equal(w.vmLck(), 48 * KB);
  const a = w.map(4);
  w.res(() => sysMprotect(w.t, a, 2n * Pn, 0n));
  t.equal(w.res(() => sysMlock(w.t, a, 4n * Pn)), 'ENOMEM');
  t.equal(w.rss(a + 2n * Pn, 2n * Pn), 0, '[NONE][RW]: the RW part is not populated');
  const b = w.map(4);
  w.res(() => sysMprotect(w.t, b + 2n * Pn, 2n * Pn, 0n));
  t.equal(w.res(() => sysMlock(w.t, b, 4n * Pn)), 'ENOMEM');
  t.equal(w.rss(b, 2n * Pn), 8 * KB, '[RW][NONE]: the RW part is populated');
});

t.test('case 22–23: mlockall(MCL_CURRENT) checks total_vm; MCL_FUTURE applies to mmap and brk', async (t) => {
  const w = new World('default');
  w.noCap(8n * Pn);
  t.equal(w.res(() => sysMlockall(w.t, 1n)), 'ENOMEM');
  t.equal(w.res(() => sysMlockall(w.t, 5n)), 'ENOMEM');
  t.equal(w.res(() => sysMlockall(w.t, 2n)), 'ok');
  t.equal(mclFuture(w.t.mm), 'on');
  const mm = (pages: number) => w.call(() => sysMmap(w.t, { addr: 0n, len: BigInt(pages) * Pn, prot: 3, flags: anon, file: null, offset: 0n }));
  t.same(mm(9), { ok: false, errno: 'EAGAIN' });
  const r = mm(4);
  t.ok(r.ok);
  const p = (r as { value: bigint }).value;
  t.ok(w.one(p).flags.includes('lo')); t.equal(w.one(p).rss, 16 * KB); t.equal(w.vmLck(), 16 * KB);
  const brk0 = w.t.mm.brk;
  t.equal(sysBrk(w.t, brk0 + 8 * 4096), brk0, 'sbrk(8 pages) fails: the old break');
  t.equal(sysBrk(w.t, brk0 + 2 * 4096), brk0 + 2 * 4096);
  t.equal(w.vmLck(), 24 * KB);
  t.equal(status(w.t).VmLck, 24 * KB);
});
