// Reference §11 cases 56–60, 68, 30–33: fork and exec drop locks, madvise on
// locked VMAs, guard regions, special mappings, hugetlb, droppable, memfd_secret.
// All [C] on 6.18.44.
import t from 'tap';
import { KB, Pn, World } from './harness.js';
import {
  DEFAULT_IMAGE, MADV, MAP_ANONYMOUS, MAP_DROPPABLE, MAP_HUGETLB, MAP_LOCKED, MAP_PRIVATE, exec, fork, mclFuture,
  readByte, sysMadvise, sysMemfdSecretMap, sysMlock, sysMlock2, sysMlockall, sysMmap, sysMunlock, sysMunlockall,
  sysMunmap, writeByte,
} from '../../runtime/index.js';

const anon = MAP_PRIVATE | MAP_ANONYMOUS;

t.test('case 56: fork clears every lock bit and def_flags, drops DONTFORK, wipes WIPEONFORK', async (t) => {
  const w = new World();
  const a = w.map(4), b = w.map(4), c = w.map(4), d = w.map(4);
  w.res(() => sysMlock(w.t, a, 4n * Pn));
  w.res(() => sysMlock2(w.t, b, 4n * Pn, 1n));
  w.res(() => sysMadvise(w.t, c, 4n * Pn, MADV.DONTFORK));
  w.res(() => sysMadvise(w.t, d, 4n * Pn, MADV.WIPEONFORK));
  for (let i = 0n; i < 4n; i++) writeByte(w.t, d + i * Pn, 7);
  w.res(() => sysMlockall(w.t, 2n));
  const kid = fork(w.t, 'kid');
  w.check();
  t.equal(w.vmLck(kid), 0);
  for (const v of w.vmas(0n, 1n << 47n, kid)) t.notOk(v.flags.includes('lo') || v.flags.includes('lf'));
  t.equal(w.one(a, kid).rss, 16 * KB); t.equal(w.one(a, kid).pss, 8 * KB); t.equal(w.one(a).pss, 8 * KB);
  t.equal(w.vmas(c, 4n * Pn, kid).length, 0, 'DONTFORK VMA missing');
  t.equal(w.one(d, kid).rss, 0);
  const r = readByte(kid, d);
  t.same(r, { value: 0 }, 'WIPEONFORK reads 0');
  t.equal(mclFuture(kid.mm), 'off');
  const kn = w.map(4, 3, anon, null, kid);
  t.notOk(w.one(kn, kid).flags.includes('lo'));
  const pn = w.map(4);
  t.ok(w.one(pn).flags.includes('lo'));
});

t.test('case 57: exec gives a fresh mm with nothing locked', async (t) => {
  const w = new World('default');
  w.res(() => sysMlockall(w.t, 3n));
  exec(w.t, DEFAULT_IMAGE);
  w.check();
  t.equal(w.vmLck(), 0);
  t.equal(w.vmas(0n, 1n << 47n).filter((v) => v.flags.includes('lo')).length, 0);
  t.equal(mclFuture(w.t.mm), 'off');
});

t.test('case 58–59: madvise on locked VMAs', async (t) => {
  const w = new World();
  const p = w.map(4);
  w.res(() => sysMlock(w.t, p, 4n * Pn));
  for (const a of [MADV.DONTNEED, MADV.FREE, MADV.COLD, MADV.PAGEOUT, MADV.GUARD_INSTALL]) {
    t.equal(w.res(() => sysMadvise(w.t, p, 4n * Pn, a)), 'EINVAL', `advice ${a}`);
  }
  t.equal(w.res(() => sysMadvise(w.t, p, 4n * Pn, MADV.WILLNEED)), 'ok');
  t.equal(w.res(() => sysMadvise(w.t, p, 4n * Pn, MADV.POPULATE_WRITE)), 'ok');
  t.equal(w.res(() => sysMadvise(w.t, p, 4n * Pn, MADV.DONTNEED_LOCKED)), 'ok');
  t.equal(w.one(p).rss, 0); t.ok(w.one(p).flags.includes('lo')); t.equal(w.vmLck(), 16 * KB);
  writeByte(w.t, p, 1);
  t.equal(w.one(p).rss, 4 * KB); t.equal(w.one(p).locked, 4 * KB);
  const s = w.mapShared(4);
  w.res(() => sysMlock(w.t, s, 4n * Pn));
  t.equal(w.res(() => sysMadvise(w.t, s, 4n * Pn, MADV.REMOVE)), 'EINVAL');
  const u = w.map(8);
  for (let i = 0n; i < 8n; i++) writeByte(w.t, u + i * Pn, 1);
  w.res(() => sysMlock(w.t, u + 4n * Pn, 4n * Pn));
  t.equal(w.res(() => sysMadvise(w.t, u, 8n * Pn, MADV.DONTNEED)), 'EINVAL');
  t.equal(w.one(u).rss, 0, '[unlocked][locked]: the unlocked half was zapped first');
  const v = w.map(8);
  for (let i = 0n; i < 8n; i++) writeByte(w.t, v + i * Pn, 1);
  w.res(() => sysMlock(w.t, v, 4n * Pn));
  t.equal(w.res(() => sysMadvise(w.t, v, 8n * Pn, MADV.DONTNEED)), 'EINVAL');
  t.equal(w.one(v + 4n * Pn).rss, 16 * KB, '[locked][unlocked]: nothing zapped');
});

t.test('case 60: a guard page makes mlock fail after locking', async (t) => {
  const w = new World();
  const p = w.map(4);
  w.res(() => sysMadvise(w.t, p, Pn, MADV.GUARD_INSTALL));
  t.equal(w.res(() => sysMlock(w.t, p, 4n * Pn)), 'ENOMEM');
  const v = w.one(p);
  t.ok(v.flags.includes('gu') && v.flags.includes('lo')); t.equal(v.rss, 0);
});

t.test('case 68 and 31: vdso/vvar are never locked but count for the limit', async (t) => {
  const w = new World('default');
  const vdso = BigInt(w.t.mm.vmas.toArray().find((v) => v.special === 'vdso')!.start) * Pn;
  t.equal(w.res(() => sysMlock(w.t, vdso, 2n * Pn)), 'ok');
  t.notOk(w.one(vdso).flags.includes('lo')); t.equal(w.vmLck(), 0);
  w.noCap(Pn);
  t.equal(w.res(() => sysMlock(w.t, vdso, 2n * Pn)), 'ENOMEM');
  const w2 = new World('default');
  w2.res(() => sysMlockall(w2.t, 1n));
  const unlocked = w2.vmas(0n, 1n << 47n).filter((v) => !v.flags.includes('lo'));
  t.equal(unlocked.length, 3, '[vvar], [vvar_vclock], [vdso]');
  const { status } = await import('../../runtime/index.js');
  t.equal(status(w2.t).VmSize - status(w2.t).VmLck, 32 * KB);
});

t.test('case 30, 32–33: hugetlb, droppable and memfd_secret', async (t) => {
  const w = new World();
  const mm = (pages: number, flags: number) => w.call(() => sysMmap(w.t, { addr: 0n, len: BigInt(pages) * Pn, prot: 3, flags, file: null, offset: 0n }));
  const h = mm(512, anon | MAP_HUGETLB);
  const hp = (h as { value: bigint }).value;
  t.equal(w.res(() => sysMlock(w.t, hp, 512n * Pn)), 'ok');
  t.notOk(w.one(hp).flags.includes('lo')); t.equal(w.vmLck(), 0); t.equal(w.resident(hp, 512), '#'.repeat(512));
  // Probed on 6.18.44 (2 huge pages): smaps Rss 0 kB (Private_Hugetlb 2048 kB), VmFlags "rd wr mr mw me de ht".
  t.equal(w.one(hp).rss, 0);
  t.same(w.one(hp).flags, ['rd', 'wr', 'mr', 'mw', 'me', 'de', 'ht']);
  const hl = mm(512, anon | MAP_HUGETLB | MAP_LOCKED);
  t.ok(hl.ok); t.notOk(w.one((hl as { value: bigint }).value).flags.includes('lo'));
  const d = mm(4, MAP_DROPPABLE | MAP_ANONYMOUS);
  const dp = (d as { value: bigint }).value;
  t.equal(w.res(() => sysMlock(w.t, dp, 4n * Pn)), 'ok');
  t.notOk(w.one(dp).flags.includes('lo')); t.equal(w.one(dp).rss, 16 * KB);
  t.same(mm(4, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_LOCKED), { ok: false, errno: 'EINVAL' });
  w.res(() => sysMunlockall(w.t));
  const before = w.vmLck();
  const s = w.call(() => sysMemfdSecretMap(w.t, 4n * Pn, 3));
  const sp = (s as { value: bigint }).value;
  t.ok(w.one(sp).flags.includes('lo')); t.notOk(w.one(sp).flags.includes('lf'));
  t.equal(w.vmLck() - before, 16 * KB); t.equal(w.one(sp).rss, 0);
  writeByte(w.t, sp, 1);
  t.equal(w.one(sp).rss, 4 * KB); t.equal(w.one(sp).locked, 4 * KB);
  w.res(() => sysMunlock(w.t, sp, 4n * Pn));
  w.res(() => sysMunlockall(w.t));
  t.equal(w.vmLck() - before, 16 * KB, 'munlock and munlockall leave secretmem locked');
  t.equal(w.res(() => sysMunmap(w.t, sp, 4n * Pn)), 'ok');
  w.noCap(2n * Pn);
  t.same(w.call(() => sysMemfdSecretMap(w.t, 4n * Pn, 3)), { ok: false, errno: 'EAGAIN' });
  const w2 = new World();
  w2.noCap(0n);
  const e = w2.call(() => sysMmap(w2.t, { addr: 0n, len: 512n * Pn, prot: 3, flags: anon | MAP_HUGETLB | MAP_LOCKED, file: null, offset: 0n }));
  t.same(e, { ok: false, errno: 'EPERM' });
});
