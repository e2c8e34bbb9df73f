// Each patch module on small scenarios through the model API. Expected values
// come from the seed's code (cited per test), or from mainline observations.
import t from 'tap';
import {
  MAP_ANONYMOUS, MAP_LOCKED, MAP_PRIVATE, PAGE_SIZE, System, assertInvariants, findProfile, fork, exec, loadEmpty,
  mclFuture, status, sysMlock, sysMlock2, sysMlockall, sysMmap, sysMpin, sysMremap, sysMunlock, sysMunlockall, sysMunmap,
  sysMunpin, vmFlags,
} from '../../runtime/index.js';
import { pinnedLockDelta, VM_PINNED } from '../../runtime/patches/vm-pinned.js';
import { VM_LOCKED } from '../../runtime/vma.js';

const P = BigInt(PAGE_SIZE);
function world(profile: string) {
  const sys = new System(findProfile(profile)!);
  const task = sys.newTask('main');
  loadEmpty(task);
  const map = (pages: number, flags = 0): bigint => {
    const r = sysMmap(task, { addr: 0n, len: BigInt(pages) * P, prot: 3, flags: MAP_PRIVATE | MAP_ANONYMOUS | flags, file: null, offset: 0n });
    if (!r.ok) throw new Error('mmap failed');
    return r.value;
  };
  const res = (r: ReturnType<typeof sysMlock>) => (r.ok ? 'ok' : 'errno' in r ? r.errno : r.signal);
  const lockedPages = () => status(task).VmLck / PAGE_SIZE;
  return { sys, task, map, res, lockedPages };
}

t.test('posix-mlock: a hole fails the whole mlock and munlock, nothing changes (seed 001 lines 183-186, 210-234)', async (t) => {
  for (const [profile, locked] of [['linux-6.18', 2], ['linux-6.18+posix-mlock', 0]] as const) {
    const w = world(profile);
    const r = w.map(5);
    sysMunmap(w.task, r + 2n * P, P);
    const before = w.task.mm.mapCount;
    t.equal(w.res(sysMlock(w.task, r, 5n * P)), 'ENOMEM', profile);
    t.equal(w.lockedPages(), locked, `${profile}: locked_vm`);
    t.equal(w.task.mm.mapCount, before, `${profile}: no VMA left split`);
    assertInvariants(w.sys);
  }
  const w = world('linux-6.18+posix-mlock');
  const r = w.map(4);
  t.equal(w.res(sysMlock(w.task, r + P, 2n * P)), 'ok');
  t.equal(w.lockedPages(), 2);
  sysMunmap(w.task, r + 3n * P, P);
  t.equal(w.res(sysMunlock(w.task, r, 4n * P)), 'ENOMEM');
  t.equal(w.lockedPages(), 2, 'munlock over a hole unlocks nothing');
  t.equal(w.res(sysMunlockall(w.task)), 'ok');
  t.equal(w.lockedPages(), 0);
});

t.test('posix-mlock: munlockall keeps MCL_FUTURE (seed 001 lines 406-437)', async (t) => {
  const w = world('linux-6.18+posix-mlock');
  sysMlockall(w.task, 2n);
  sysMunlockall(w.task);
  t.equal(mclFuture(w.task.mm), 'on');
});

t.test('mcl-inherit: fork keeps lock bits, locked_vm and def_flags; exec keeps MCL_FUTURE (seed 000)', async (t) => {
  const w = world('linux-6.18+mcl-inherit');
  const buf = w.map(4);
  t.equal(w.res(sysMlockall(w.task, 1n | 2n | 16n)), 'ok');
  t.equal(w.res(sysMlockall(w.task, 1n | 32n)), 'EINVAL', 'RECURSIVE without INHERIT');
  t.equal(w.res(sysMlockall(w.task, 16n)), 'EINVAL', 'neither CURRENT nor FUTURE');
  const kid = fork(w.task, 'kid');
  t.equal(kid.mm.lockedVm, w.task.mm.lockedVm);
  t.equal(mclFuture(kid.mm), 'on');
  const v = kid.mm.vmas.lookup(Number(buf / P))!;
  t.ok(v.flags & VM_LOCKED);
  exec(kid, null);
  t.equal(mclFuture(kid.mm), 'on', 'MCL_FUTURE survives exec');
  t.equal(kid.mm.mclInherit, 0, 'without RECURSIVE mcl_inherit does not');
  assertInvariants(w.sys);
  const m = world('linux-6.18');
  m.map(2);
  sysMlockall(m.task, 3n);
  const k2 = fork(m.task, 'kid');
  t.equal(k2.mm.lockedVm, 0, 'mainline child starts unlocked');
});

t.test('vm-pinned: the PL→PL\' table and mm_mpin/mm_munpin (seed 003 lines 125-166, 241-279)', async (t) => {
  const n = 3, P_ = VM_PINNED, L = VM_LOCKED;
  t.same(pinnedLockDelta(0, L, n), [n, 0], '00→01');
  t.same(pinnedLockDelta(0, P_, n), [0, n], '00→10');
  t.same(pinnedLockDelta(L, P_ | L, n), [-n, n], '01→11');
  t.same(pinnedLockDelta(L, 0, n), [-n, 0], '01→00');
  t.same(pinnedLockDelta(P_, 0, n), [0, -n], '10→00');
  t.same(pinnedLockDelta(P_, P_ | L, n), [0, 0], '10→11');
  t.same(pinnedLockDelta(P_ | L, L, n), [n, -n], '11→01');
  t.same(pinnedLockDelta(P_ | L, P_, n), [0, 0], '11→10');
  const w = world('linux-6.18+vm-pinned');
  const a = w.map(4);
  sysMlock(w.task, a, 4n * P);
  t.equal(w.res(sysMpin(w.task, a, 4n * P)), 'ok');
  t.same([w.task.mm.lockedVm, w.task.mm.pinnedVm], [0, 4]);
  const kid = fork(w.task, 'kid');
  t.same([kid.mm.lockedVm, kid.mm.pinnedVm], [0, 4], 'dup_mmap charges VM_PINNED VMAs');
  t.equal(w.res(sysMunpin(w.task, a, 4n * P)), 'ENOMEM', 'length start + len runs into the hole after the mapping');
  t.same([w.task.mm.lockedVm, w.task.mm.pinnedVm], [4, 0]);
  t.equal(w.res(sysMpin(world('linux-6.18').task, a, P)), 'ENOSYS', 'mainline has no mm_mpin');
  assertInvariants(w.sys);
});

t.test('onfault-mremap-populates / mremap-nopopulate: mremap of a lock-on-fault area (seed 004)', async (t) => {
  const grow = (profile: string, flags: bigint) => {
    const w = world(profile);
    const a = w.map(4);
    sysMlock2(w.task, a, 4n * P, 1n);
    const r = sysMremap(w.task, a, 4n * P, 8n * P, flags, 0n);
    if (!r.ok) return w.res(r);
    const v = w.task.mm.vmas.lookup(Number(r.value / P))!;
    return `${vmFlags(w.task, v).includes('lf') ? 'lf' : 'no lf'} rss ${w.task.mm.pt.rss.anon}`;
  };
  t.equal(grow('linux-6.18', 1n), 'lf rss 0', 'mainline: sticky VM_LOCKONFAULT');
  t.equal(grow('linux-6.18+onfault-mremap-populates', 1n), 'no lf rss 8');
  t.equal(grow('linux-6.18+mremap-nopopulate', 1n), 'no lf rss 8');
  t.equal(grow('linux-6.18+mremap-nopopulate', 9n), 'lf rss 0', 'MREMAP_NOPOPULATE');
  t.equal(grow('linux-6.18', 9n), 'EINVAL');
});

t.test('mcl-nopopulate-locked: the mode turns mlock and MAP_LOCKED into lock-on-fault (seed 004 lines 111-122)', async (t) => {
  const w = world('linux-6.18+mcl-nopopulate-locked');
  t.equal(w.res(sysMlockall(w.task, 8n)), 'ok');
  const a = w.map(4);
  sysMlock(w.task, a, 4n * P);
  const b = w.map(4, MAP_LOCKED);
  t.equal(w.task.mm.pt.rss.anon, 0, 'nothing populated');
  t.equal(w.lockedPages(), 8);
  t.ok(vmFlags(w.task, w.task.mm.vmas.lookup(Number(b / P))!).includes('lf'));
  sysMunlockall(w.task);
  w.map(2, MAP_LOCKED);
  t.equal(w.task.mm.pt.rss.anon, 2, 'munlockall switched the mode off');
  t.equal(w.res(sysMlockall(world('linux-6.18').task, 8n)), 'EINVAL');
});
