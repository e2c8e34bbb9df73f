// The linux-6.1 and linux-6.12 rules found by `mls fuzz --target vm` in Debian's 6.1.0-57 and
// 6.12.118 guests (fuzz seeds 1206, 1207, 1601; SPEC Part IV). Expected values are the guests'
// observations; linux-6.18 is the contrast, observed on the 6.18.44 host.
import t from 'tap';
import { sysMlock, sysShmat, sysShmget } from '../../runtime/index.js';
import {
  MADV, MAP_ANONYMOUS, MAP_FIXED, MAP_LOCKED, MAP_NORESERVE, MAP_PRIVATE, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE,
  System, assertInvariants, buildProfile, loadEmpty, mincore, status, sysMadvise, sysMmap, sysMremap, sysMunmap, vm, type SysResult, type Task,
} from '../../runtime/index.js';

const P = 4096n;
const res = (r: SysResult): string => (r.ok ? 'ok' : 'errno' in r ? r.errno : r.signal);

function world(name: string): { task: Task; sys: System; arena: bigint } {
  const sys = new System(buildProfile(name)!);
  const task = sys.newTask('main');
  loadEmpty(task);
  const a = sysMmap(task, { addr: 0n, len: 1024n * P, prot: 0, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, file: null, offset: 0n });
  if (!a.ok) throw new Error('arena');
  return { task, sys, arena: a.value };
}

/** The arena's VMAs as [start, end, locked] in pages from its start. */
function layout(task: Task, arena: bigint): Array<[number, number, boolean]> {
  const base = Number(arena / P);
  return task.mm.vmas.overlapping(base, base + 1024)
    .map((v) => [v.start - base, v.end - base, (v.flags & vm.VM_LOCKED) !== 0] as [number, number, boolean]);
}

function fixed(task: Task, addr: bigint, pages: bigint, prot: number, extra = 0): void {
  const r = sysMmap(task, { addr, len: pages * P, prot, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | extra, file: null, offset: 0n });
  if (!r.ok) throw new Error(`mmap: ${res(r)}`);
}

t.test('DONTUNMAP of part of a locked VMA: 6.12 splits the part off and unlocks it only (seed 1207 #91)', async (t) => {
  // Guest (var3 n): mmap 12p r locked at arena+703p, mremap 705p 1p -> 800p dontunmap.
  for (const [name, want, lck] of [
    ['linux-6.12', [[0, 703, false], [703, 705, true], [705, 706, false], [706, 715, true], [715, 800, false], [800, 801, true], [801, 1024, false]], 12],
    ['linux-6.1', [[0, 703, false], [703, 705, true], [705, 706, false], [706, 715, true], [715, 800, false], [800, 801, true], [801, 1024, false]], 12],
  ] as const) {
    const { task, sys, arena } = world(name);
    fixed(task, arena + 703n * P, 12n, 1, MAP_LOCKED);
    const r = sysMremap(task, arena + 705n * P, P, P, BigInt(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP), arena + 800n * P);
    t.equal(res(r), 'ok', name);
    t.same(layout(task, arena), want, `${name}: layout`);
    t.equal(status(task).VmLck, lck * 4096, `${name}: VmLck unchanged`);
    assertInvariants(sys);
  }
});

t.test('DONTUNMAP: an unfaulted copy does not merge into its source before the rework, on 6.1 with nothing (seed 1206 #95)', async (t) => {
  // Guest 6.12 (var a, j): [0, 29p) | [29p, 4M) and [0, 17p) | [17p, 4M); host 6.18.44: one VMA.
  for (const [name, src, dst, want] of [
    ['linux-6.12', 16n, 29n, [[0, 29, false], [29, 1024, false]]],
    ['linux-6.12', 1000n, 16n, [[0, 17, false], [17, 1024, false]]],
    ['linux-6.18', 16n, 29n, [[0, 1024, false]]],
    // Guest 6.1: the copy merges with neither neighbour.
    ['linux-6.1', 16n, 29n, [[0, 29, false], [29, 30, false], [30, 1024, false]]],
    ['linux-6.1', 1000n, 16n, [[0, 16, false], [16, 17, false], [17, 1024, false]]],
  ] as const) {
    const { task, sys, arena } = world(name);
    const r = sysMremap(task, arena + src * P, P, P, BigInt(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP), arena + dst * P);
    t.equal(res(r), 'ok');
    t.same(layout(task, arena), want, `${name} ${src}p -> ${dst}p`);
    assertInvariants(sys);
  }
});

t.test('mremap of a missing source with MREMAP_FIXED: EFAULT and the destination stays (6.12, seed 1206 #161)', async (t) => {
  for (const name of ['linux-6.12', 'linux-6.1', 'linux-6.18']) {
    const { task, arena } = world(name);
    const m = sysMmap(task, { addr: 0n, len: P, prot: 3, flags: MAP_PRIVATE | MAP_ANONYMOUS, file: null, offset: 0n });
    if (!m.ok) throw new Error('mmap');
    sysMunmap(task, m.value, P);
    const before = status(task).VmSize;
    t.equal(res(sysMremap(task, m.value, P, P, BigInt(MREMAP_MAYMOVE | MREMAP_FIXED), arena + 16n * P)), 'EFAULT', name);
    t.equal(status(task).VmSize, before, `${name}: VmSize`);
    t.same(layout(task, arena), [[0, 1024, false]], `${name}: arena whole`);
  }
});

t.test('6.1: MADV_POPULATE_* walks the VMAs: a hole is reported last, a PROT_NONE VMA after it is EINVAL (seed 1601)', async (t) => {
  for (const [name, err] of [['linux-6.1', 'EINVAL'], ['linux-6.18', 'ENOMEM']] as const) {
    const { task, arena } = world(name);
    sysMunmap(task, arena + 16n * P, P);
    t.equal(res(sysMadvise(task, arena + 16n * P, 4196n, MADV.POPULATE_READ)), err, `${name}: hole then PROT_NONE`);
  }
  // Guest: munmap the first 41 pages of a 512-page rw block, populate_read of 1859583 bytes from
  // inside the hole: ENOMEM, and pages 553-992 of the arena are resident.
  for (const [name, resident] of [['linux-6.1', 440], ['linux-6.18', 0]] as const) {
    const { task, arena } = world(name);
    fixed(task, arena + 512n * P, 512n, 3);
    sysMunmap(task, arena + 512n * P, 41n * P);
    t.equal(res(sysMadvise(task, arena + 539n * P, 1859583n, MADV.POPULATE_READ)), 'ENOMEM', name);
    const base = Number(arena / P);
    t.equal(mincore(task.mm, base, base + 1024).countIn(base + 553, base + 993), resident, `${name}: pages populated past the hole`);
  }
});

t.test('6.1: mmap over a VMA refused by RLIMIT_DATA leaves it whole (seed 1601)', async (t) => {
  for (const [name, vmas] of [['linux-6.1', 1], ['linux-6.18', 3]] as const) {
    const { task, arena } = world(name);
    // Some data_vm, as the guest's executor has (its data segment): the limit then refuses any growth.
    const d = sysMmap(task, { addr: 0n, len: P, prot: 3, flags: MAP_PRIVATE | MAP_ANONYMOUS, file: null, offset: 0n });
    if (!d.ok) throw new Error('mmap');
    task.rlimits.data.cur = 0n; task.rlimits.data.max = 0n; // `setrlimit data 0`
    const r = sysMmap(task, { addr: arena + 16n * P, len: P, prot: 3, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, file: null, offset: 0n });
    t.equal(res(r), 'ENOMEM', name);
    t.equal(layout(task, arena).length, vmas, `${name}: arena VMAs`);
  }
});

t.test('6.1: a DONTUNMAP copy of a page mapped below the arena merges with neither neighbour; without DONTUNMAP it does', async (t) => {
  // Guest 6.1 (g, h): the page lands just below the arena and merges with it, so the source VMA is
  // [-1p, 4M); g gives [-1p, 29p) | [29p, 30p) | [30p, 4M), h gives [0, 4M) whole.
  for (const [flags, want] of [
    [MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, [[-1, 29, false], [29, 30, false], [30, 1024, false]]],
    [MREMAP_MAYMOVE | MREMAP_FIXED, [[0, 1024, false]]],
  ] as const) {
    const { task, sys, arena } = world('linux-6.1');
    const m = sysMmap(task, { addr: 0n, len: P, prot: 0, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, file: null, offset: 0n });
    if (!m.ok) throw new Error('mmap');
    t.equal(res(sysMremap(task, m.value, P, P, BigInt(flags), arena + 29n * P)), 'ok');
    t.same(layout(task, arena), want, `flags ${flags}`);
    assertInvariants(sys);
  }
});

t.test('6.1: a shm VMA (close hook) never merges with its neighbour (seed 1603 #1258)', async (t) => {
  // Guest 6.1: shmat 3p over arena+16p, mlock 16p, then mlock [14p, 18p) => ENOMEM leaves
  // [16p, 17p) lo | [17p, 18p) lo | [18p, 19p) apart: 6 arena VMAs.
  for (const [name, vmas] of [['linux-6.1', 6]] as const) {
    const { task, sys, arena } = world(name);
    const id = sysShmget(task, 3n * P);
    if (!id.ok) throw new Error('shmget');
    const at = sysShmat(task, id.value, arena + 16n * P, 0o40000);
    t.equal(res(at), 'ok', `${name}: shmat remap`);
    t.equal(res(sysMlock(task, arena + 16n * P, P)), 'ok');
    t.equal(res(sysMlock(task, arena + 57345n, 3n * P)), 'ENOMEM', `${name}: mlock across the arena's PROT_NONE part`);
    t.equal(layout(task, arena).length, vmas, `${name}: arena VMAs`);
    assertInvariants(sys);
  }
});
