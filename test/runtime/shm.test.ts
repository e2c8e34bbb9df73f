// System V shm on the model (runtime/shm.ts). Expected values are the kernel's:
// reference §11 case 35 and the probes behind scenarios/kernel/51–52, all [C] on 6.18.44.
import t from 'tap';
import { KB, Pn, World } from './harness.js';
import {
  capSetEffective, fork, exitTask, shmNattch, SHM_RDONLY, SHM_REMAP, SHM_RND, sysMlock, sysMunlock, sysMunmap, sysShmat, sysShmctl, sysShmdt,
  sysShmget, writeByte,
} from '../../runtime/index.js';

const id = (w: World, pages: number): bigint => {
  const r = w.call(() => sysShmget(w.t, BigInt(pages) * Pn));
  if (!r.ok) throw new Error('shmget failed');
  return r.value;
};
const attach = (w: World, seg: bigint, flags = 0, task = w.t): bigint => {
  const r = w.call(() => sysShmat(task, seg, 0n, flags));
  if (!r.ok) throw new Error(`shmat failed: ${JSON.stringify(r)}`);
  return r.value;
};
const noCap = (w: World, limitPages: bigint, task = w.t): void => {
  capSetEffective(task, 'ipc_lock', false);
  task.rlimits.memlock = { cur: limitPages * Pn, max: task.rlimits.memlock.max };
};

t.test('case 35: SHM_LOCK locks the object, not a VMA; mlock works on top', async (t) => {
  const w = new World();
  const seg = id(w, 4);
  const a = attach(w, seg);
  t.equal(w.res(() => sysShmctl(w.t, seg, 'lock')), 'ok');
  t.equal(w.vmLck(), 0);
  t.same(w.one(a).flags, ['rd', 'wr', 'sh', 'mr', 'mw', 'me', 'ms']);
  for (let i = 0n; i < 4n; i++) writeByte(w.t, a + i * Pn, 1);
  t.equal(w.one(a).rss, 16 * KB);
  t.equal(w.one(a).locked, 0);
  t.equal(w.res(() => sysMlock(w.t, a, 4n * Pn)), 'ok');
  t.equal(w.vmLck(), 16 * KB);
  t.equal(w.one(a).locked, 16 * KB);
});

t.test('case 35 without CAP_IPC_LOCK: limit 0 EPERM, 2 pages ENOMEM, 4 pages ok, charged once', async (t) => {
  const w = new World();
  const seg = id(w, 4);
  noCap(w, 0n);
  t.equal(w.res(() => sysShmctl(w.t, seg, 'lock')), 'EPERM');
  noCap(w, 2n);
  t.equal(w.res(() => sysShmctl(w.t, seg, 'lock')), 'ENOMEM');
  noCap(w, 4n);
  t.equal(w.res(() => sysShmctl(w.t, seg, 'lock')), 'ok');
  t.equal(w.res(() => sysShmctl(w.t, seg, 'lock')), 'ok', 'already locked: nothing charged again');
  t.equal(w.sys.shm.userLockedPages.get(0), 4);
  t.equal(w.res(() => sysShmctl(w.t, seg, 'unlock')), 'ok');
  t.equal(w.sys.shm.userLockedPages.get(0), 0);
});

t.test('the charge is per user: another process sees it; destroy returns it', async (t) => {
  const w = new World();
  const big = id(w, 4), small = id(w, 1);
  noCap(w, 4n);
  t.equal(w.res(() => sysShmctl(w.t, big, 'lock')), 'ok');
  const kid = fork(w.t, 'kid');
  t.equal(w.res(() => sysShmctl(kid, small, 'lock')), 'ENOMEM');
  const a = attach(w, big);
  t.equal(w.res(() => sysShmctl(w.t, big, 'rmid')), 'ok', 'attached: only marked');
  t.equal(w.res(() => sysShmctl(kid, small, 'lock')), 'ENOMEM');
  t.equal(w.res(() => sysShmdt(w.t, a)), 'ok');
  t.equal(w.res(() => sysShmctl(kid, small, 'lock')), 'ok', 'the last detach destroyed the locked segment');
  t.equal(w.res(() => sysShmat(w.t, big, 0n, 0)), 'EINVAL');
});

t.test('nattch counts VMAs: splits, fork, exit; shmdt removes every fragment', async (t) => {
  const w = new World();
  const seg = id(w, 4);
  const a = attach(w, seg);
  w.res(() => sysMlock(w.t, a + Pn, Pn));
  w.res(() => sysMunlock(w.t, a, 4n * Pn));
  t.equal(w.vmas(a, 4n * Pn).length, 3, 'shm VMAs never merge back');
  const s = w.sys.shm.segments.get(Number(seg))!;
  t.equal(shmNattch(w.sys, s), 3);
  const kid = fork(w.t, 'kid');
  t.equal(shmNattch(w.sys, s), 6);
  exitTask(kid);
  t.equal(shmNattch(w.sys, s), 3);
  w.res(() => sysMunmap(w.t, a + Pn, Pn));
  t.equal(w.res(() => sysShmdt(w.t, a)), 'ok');
  t.equal(w.vmas(a, 4n * Pn).length, 0);
  t.equal(w.res(() => sysShmdt(w.t, a)), 'EINVAL');
});

t.test('shmat arguments: rdonly flags, overlap, alignment, remap', async (t) => {
  const w = new World();
  const seg = id(w, 4);
  const a = attach(w, seg);
  const ro = attach(w, seg, SHM_RDONLY);
  t.same(w.one(ro).flags, ['rd', 'mr', 'me', 'ms']);
  t.equal(writeByte(w.t, ro, 1), 'SIGSEGV');
  t.equal(w.res(() => sysShmat(w.t, seg, a + Pn, 0)), 'EINVAL', 'overlaps without SHM_REMAP');
  t.equal(w.res(() => sysShmat(w.t, seg, a + 100n, 0)), 'EINVAL', 'unaligned without SHM_RND');
  t.equal(w.res(() => sysShmat(w.t, seg, 0n, SHM_REMAP)), 'EINVAL');
  t.equal(w.res(() => sysShmat(w.t, seg, a + 100n, SHM_RND | SHM_REMAP)), 'ok', 'rounded down, replaces the old attach');
  t.equal(w.res(() => sysShmget(w.t, 0n)), 'EINVAL');
});
