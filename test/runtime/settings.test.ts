// The model follows the machine's settings (runtime/settings.ts): each test checks
// both values of one setting. Expected values: stock values from the reference
// (/work/shared/reference/linux-mlock-semantics.md §11, a stock 6.18) or the recorded
// scenarios (scenarios/, a stock 6.18.44 with PKU and the zero page); the other values
// from C probes (/tmp, not committed) on Linux 6.18.44 booted with pvm_no_zero_page=1,
// on a CPU without pku/ospke, THP enabled=madvise, use_zero_page=1, reading smaps
// (Rss, Anonymous, AnonHugePages, Locked, VmFlags), VmLck, mincore and getrusage
// ru_minflt. Soft-dirty cannot be observed on that host (no CONFIG_MEM_SOFT_DIRTY):
// its expectations come from the kernel source (cited at each test).
import t from 'tap';
import { VM_GROWSDOWN } from '../../runtime/vma.js';
import { KB, Pn, World } from './harness.js';
import {
  MADV, MAP_ANONYMOUS, MAP_LOCKED, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, MREMAP_MAYMOVE, STOCK_SETTINGS, fork, readByte,
  System, assertInvariants, buildProfile, loadEmpty,
  sysBrk, sysMadvise, sysMlock, sysMlock2, sysMmap, sysMprotect, sysMremap, writeByte, type MachineSettings,
} from '../../runtime/index.js';

const anon = MAP_PRIVATE | MAP_ANONYMOUS;
const M2 = 2n << 20n;
const MB2 = 2048 * KB;
/** This host: pvm_no_zero_page=1, no protection keys, no soft-dirty. */
const HOST: MachineSettings = { zeroPage: false, hugeZeroPage: false, pkeys: false, softDirty: false };

const read = (w: World, addr: bigint): number | string => {
  const r = readByte(w.t, addr);
  w.check();
  return 'value' in r ? r.value : r.signal;
};
const write = (w: World, addr: bigint): string => { const s = writeByte(w.t, addr, 1); w.check(); return s ?? 'ok'; };

t.test('stock settings are the defaults', async (t) => {
  t.same(new World().sys.settings, STOCK_SETTINGS);
  t.same(STOCK_SETTINGS, { zeroPage: true, hugeZeroPage: true, pkeys: true, softDirty: false });
});

t.test('zeroPage: a read fault on private anon maps the zero page, or a new page', async (t) => {
  // Stock, reference case 26: lock-on-fault 4 pages, write page 0, read page 1 -> Rss and
  // Locked stay 4 kB (zero page), mincore sees both.
  // No zero page, probe: the same gives Rss 8 kB and Locked 8 kB.
  for (const [zeroPage, rss] of [[true, 4 * KB], [false, 8 * KB]] as const) {
    const w = new World('empty', { zeroPage });
    const p = w.map(4);
    w.res(() => sysMlock2(w.t, p, 4n * Pn, 1n));
    write(w, p);
    t.equal(read(w, p + Pn), 0);
    t.match(w.one(p), { rss, locked: rss, anonymous: rss }, `zeroPage ${zeroPage}`);
    t.equal(w.resident(p, 4), '##..');
  }
  // Probe: reading 4 of 8 untouched RW pages: 4 minor faults, Rss = Anonymous = 16 kB,
  // mincore ####....; a write to page 0 afterwards: 0 minor faults (the page was mapped
  // writable). Stock: the same reads map the zero page, Rss 0 (reference case 26, SPEC III.4).
  for (const [zeroPage, rss, wflt] of [[true, 0, 1], [false, 16 * KB, 0]] as const) {
    const w = new World('empty', { zeroPage });
    const p = w.map(8);
    const f0 = w.t.minFlt;
    for (let i = 0n; i < 4n; i++) t.equal(read(w, p + i * Pn), 0);
    t.equal(w.t.minFlt - f0, 4, 'one minor fault per page');
    t.match(w.one(p), { rss, anonymous: rss }, `zeroPage ${zeroPage}`);
    t.equal(w.resident(p, 8), '####....');
    // do_anonymous_page without the zero page calls vmf_anon_prepare (mm/memory.c).
    t.equal(w.t.mm.vmas.find(Number(p / Pn))!.anonVma !== null, !zeroPage, 'anon_vma prepared by the read');
    const f1 = w.t.minFlt;
    write(w, p);
    t.equal(w.t.minFlt - f1, wflt, 'a write after the read: COW of the zero page, or nothing');
  }
});

t.test('zeroPage: populate read faults (mlock, MAP_POPULATE, MADV_POPULATE_READ)', async (t) => {
  // Stock, reference case 40: PROT_READ private anon, mlock -> 0, Rss 0, VmLck 16.
  // Probe: mlock -> 0, 4 minor faults, Rss = Anonymous = Locked = 16 kB, VmLck 16 kB;
  // MAP_POPULATE PROT_READ 4 pages -> Rss 16 kB; MADV_POPULATE_READ of RW -> 0, Rss 16 kB.
  for (const zeroPage of [true, false]) {
    const full = zeroPage ? 0 : 16 * KB;
    const w = new World('empty', { zeroPage });
    const r = w.map(4, 1);
    const f0 = w.t.minFlt;
    t.equal(w.res(() => sysMlock(w.t, r, 4n * Pn)), 'ok');
    t.equal(w.t.minFlt - f0, 4);
    t.match(w.one(r), { rss: full, anonymous: full, locked: full }, `mlock, zeroPage ${zeroPage}`);
    t.equal(w.vmLck(), 16 * KB);
    t.equal(w.resident(r, 4), '####');
    const q = w.map(4, 1, anon | MAP_POPULATE);
    t.equal(w.one(q).rss, full, `MAP_POPULATE, zeroPage ${zeroPage}`);
    const d = w.map(4);
    t.equal(w.res(() => sysMadvise(w.t, d, 4n * Pn, MADV.POPULATE_READ)), 'ok');
    t.equal(w.one(d).rss, full, `POPULATE_READ, zeroPage ${zeroPage}`);
    // mprotect(RW) of the locked VMA write-faults it (case 40): 16 kB either way.
    w.res(() => sysMprotect(w.t, r, 4n * Pn, 3n));
    t.match(w.one(r), { rss: 16 * KB, locked: 16 * KB });
  }
});

t.test('zeroPage: a read below the stack grows it and maps the zero page or a page', async (t) => {
  for (const zeroPage of [true, false]) {
    const w = new World('default', { zeroPage });
    const stack = w.t.mm.vmas.find(w.t.mm.startStack)!;
    const below = BigInt(stack.start - 1) * Pn;
    const rss0 = w.one(BigInt(stack.start) * Pn).rss;
    t.equal(read(w, below), 0);
    t.equal(w.one(below).rss - rss0, zeroPage ? 0 : 4 * KB, `zeroPage ${zeroPage}`);
  }
});

t.test('hugeZeroPage: a read of a THP block maps the huge zero page, or a huge page', async (t) => {
  // Stock (test/runtime/huge-memory.test.ts, probes on the stock machine): after a write to
  // block 0, a read in block 1 leaves Rss and AnonHugePages at 2048 kB, all resident.
  // Probe (use_zero_page=1 but pvm_no_zero_page=1): a read of a MADV_HUGEPAGE block
  // gives 1 minor fault, Rss = Anonymous = AnonHugePages = 2048 kB; a write afterwards
  // faults no more.
  for (const hugeZeroPage of [true, false]) {
    const w = new World('empty', { hugeZeroPage });
    const r = w.call(() => sysMmap(w.t, { addr: 0n, len: 2n * M2, prot: 3, flags: anon, file: null, offset: 0n }));
    const a = (r as { value: bigint }).value;
    w.res(() => sysMadvise(w.t, a, 2n * M2, MADV.HUGEPAGE));
    write(w, a);
    const f0 = w.t.minFlt;
    t.equal(read(w, a + 519n * Pn), 0);
    t.equal(w.t.minFlt - f0, 1);
    const n = hugeZeroPage ? 1 : 2;
    t.match(w.one(a), { rss: n * MB2, anonHuge: n * MB2, anonymous: n * MB2 }, `hugeZeroPage ${hugeZeroPage}`);
    t.equal(w.resident(a, 1024), '#'.repeat(1024));
    const f1 = w.t.minFlt;
    write(w, a + 521n * Pn);
    t.equal(w.t.minFlt - f1, hugeZeroPage ? 1 : 0);
    t.match(w.one(a), { rss: 2 * MB2, anonHuge: 2 * MB2 });
  }
});

t.test('pkeys: PROT_EXEC-only private anon', async (t) => {
  // Stock (scenarios/kernel/25-populate-by-prot.mls, scenarios/fuzz/
  // madvise-remove-result-eacces-vs-einval-2.mls): mlock -> ENOMEM, Rss 0, the VMA lo.
  {
    const w = new World();
    const x = w.map(4, 4);
    t.equal(w.res(() => sysMlock(w.t, x, 4n * Pn)), 'ENOMEM');
    t.match(w.one(x), { rss: 0 }); t.ok(w.one(x).flags.includes('lo'));
    t.equal(read(w, w.map(4, 4)), 'SIGSEGV', 'the execute-only pkey forbids reads');
    t.equal(w.one(w.map(4, 4, anon | MAP_POPULATE)).rss, 0);
  }
  // No pkeys with the zero page, reference case 41: mlock of PROT_EXEC-only -> Rss 0 (zero page).
  {
    const w = new World('empty', { pkeys: false });
    const x = w.map(4, 4);
    t.equal(w.res(() => sysMlock(w.t, x, 4n * Pn)), 'ok');
    t.match(w.one(x), { rss: 0 }); t.equal(w.resident(x, 4), '####');
  }
  // This host (probe): mlock -> 0, Rss = Anonymous = Locked = 16 kB, VmLck 16 kB, mincore ####;
  // a read -> 0 (no signal), Rss 4 kB; MAP_POPULATE -> Rss 16 kB; MAP_LOCKED -> Rss = Locked
  // = 16 kB; MADV_POPULATE_READ -> EINVAL, Rss 0 (no FOLL_FORCE, VM_READ needed); a write -> SIGSEGV.
  {
    const w = new World('empty', HOST);
    const x = w.map(4, 4);
    t.equal(w.res(() => sysMlock(w.t, x, 4n * Pn)), 'ok');
    t.match(w.one(x), { rss: 16 * KB, anonymous: 16 * KB, locked: 16 * KB }); t.equal(w.vmLck(), 16 * KB);
    t.equal(w.resident(x, 4), '####');
    const y = w.map(4, 4);
    t.equal(read(w, y), 0);
    t.equal(w.one(y).rss, 4 * KB);
    t.equal(w.one(w.map(4, 4, anon | MAP_POPULATE)).rss, 16 * KB);
    t.match(w.one(w.map(4, 4, anon | MAP_LOCKED)), { rss: 16 * KB, locked: 16 * KB });
    const z = w.map(4, 4);
    t.equal(w.res(() => sysMadvise(w.t, z, 4n * Pn, MADV.POPULATE_READ)), 'EINVAL');
    t.equal(w.one(z).rss, 0);
    t.equal(write(w, z), 'SIGSEGV');
  }
  // MADV_POPULATE_READ and writes do not depend on pkeys.
  {
    const w = new World();
    const z = w.map(4, 4);
    t.equal(w.res(() => sysMadvise(w.t, z, 4n * Pn, MADV.POPULATE_READ)), 'EINVAL');
    t.equal(write(w, z), 'SIGSEGV');
  }
});

t.test('pkeys: PROT_EXEC-only file mappings', async (t) => {
  // Probe: a 4-page file, MAP_PRIVATE PROT_EXEC, read of page 1 -> the file's byte, Rss 16 kB
  // (fault-around), Anonymous 0; MAP_SHARED PROT_EXEC mlock -> 0 with Rss 16 kB and Locked 8 kB
  // (each page also mapped by the first mapping).
  {
    const w = new World('empty', { pkeys: false });
    const f = w.file('f', 4 * 4096);
    const p = w.map(4, 4, MAP_PRIVATE, f);
    t.not(read(w, p + Pn), 'SIGSEGV');
    t.match(w.one(p), { rss: 16 * KB, anonymous: 0 });
    const s = w.map(4, 4, MAP_SHARED, f);
    t.equal(w.res(() => sysMlock(w.t, s, 4n * Pn)), 'ok');
    t.match(w.one(s), { rss: 16 * KB, locked: 8 * KB });
  }
  // Stock: the execute-only pkey; scenarios/fuzz/mlock-mapcount-3.mls (mlock of a range with
  // an exec-only private file VMA -> ENOMEM).
  {
    const w = new World();
    const f = w.file('f', 4 * 4096);
    const p = w.map(4, 4, MAP_PRIVATE, f);
    t.equal(read(w, p + Pn), 'SIGSEGV');
    t.equal(w.one(p).rss, 0);
    const s = w.map(4, 4, MAP_SHARED, f);
    t.equal(w.res(() => sysMlock(w.t, s, 4n * Pn)), 'ENOMEM');
    t.equal(w.one(s).rss, 0);
  }
});

// Soft-dirty is not on the test host: kernel source (linux-6.18), and Debian's 6.1 and 6.12 guests
// (CONFIG_MEM_SOFT_DIRTY=y, `mls diff --target vm`) for the image's stack.
t.test('softDirty: every VMA but exec\'s stack carries sd from creation; merging ignores it', async (t) => {
  for (const softDirty of [false, true]) {
    const w = new World('default', { softDirty });
    const sd = (addr: bigint, task = w.t): boolean => w.one(addr, task).flags.includes('sd');
    // Image VMAs: vm_mmap/vm_brk_flags (ELF, heap), mm/vma.c:__install_special_mapping (vdso, vvar).
    // The stack: __bprm_mm_init sets sd, fs/exec.c:setup_arg_pages's mprotect_fixup drops it (seen in the guests).
    const image = w.t.mm.vmas.overlapping(0, Number.MAX_SAFE_INTEGER);
    const isStack = (v: (typeof image)[number]) => (v.flags & VM_GROWSDOWN) !== 0;
    t.ok(image.some(isStack), 'the image has a stack');
    t.equal(image.filter((v) => !isStack(v)).every((v) => w.one(BigInt(v.start) * Pn).flags.includes('sd')), softDirty, 'image');
    t.notOk(image.filter(isStack).some((v) => w.one(BigInt(v.start) * Pn).flags.includes('sd')), 'the stack has no sd');
    // mm/vma.c:__mmap_complete: vm_flags_set(vma, VM_SOFTDIRTY).
    const p = w.map(4);
    t.equal(sd(p), softDirty, 'mmap');
    t.same(w.one(p).flags, softDirty ? ['rd', 'wr', 'mr', 'mw', 'me', 'ac', 'sd'] : ['rd', 'wr', 'mr', 'mw', 'me', 'ac']);
    // show_smap_vma_flags order: dd (bit 26), sd (27), mm (28), hg (29).
    w.res(() => sysMadvise(w.t, p, 4n * Pn, MADV.DONTDUMP));
    w.res(() => sysMadvise(w.t, p, 4n * Pn, MADV.HUGEPAGE));
    t.same(w.one(p).flags.slice(-3), softDirty ? ['dd', 'sd', 'hg'] : ['ac', 'dd', 'hg']);
    // is_mergeable_vma ignores VM_IGNORE_MERGE (VM_SOFTDIRTY): an mprotect split and back merges.
    w.res(() => sysMprotect(w.t, p + Pn, Pn, 1n));
    t.equal(w.vmas(p, 4n * Pn).length, 3);
    w.res(() => sysMprotect(w.t, p + Pn, Pn, 3n));
    t.equal(w.vmas(p, 4n * Pn).length, 1);
    // mm/vma.c:do_brk_flags: the new heap VMA too.
    const brk0 = w.t.mm.brk;
    t.equal(w.t.mm.brk, brk0);
    t.equal(sysBrk(w.t, brk0 + 8 * 4096), brk0 + 8 * 4096);
    w.check();
    t.equal(sd(BigInt(brk0)), softDirty, 'brk');
    // mremap (copy_vma -> vm_area_dup) and fork (dup_mmap -> vm_area_dup) copy vm_flags.
    const m = w.call(() => sysMremap(w.t, p, 4n * Pn, 64n * Pn, BigInt(MREMAP_MAYMOVE), 0n));
    t.equal(sd((m as { value: bigint }).value), softDirty, 'mremap');
    const kid = fork(w.t, 'kid');
    w.check();
    t.equal(sd((m as { value: bigint }).value, kid), softDirty, 'fork');
  }
});

t.test('pkeys before 4.6: no execute-only pkey, so PROT_EXEC-only is readable whatever the CPU', async (t) => {
  // arch/x86/mm/pkeys.c:__execute_only_pkey arrived in v4.6 (62b5f7d013fc); before it x86 page
  // tables could not deny reads of an executable page. (Source reading: no pre-4.6 kernel runs here.)
  for (const [name, mlock, readRes] of [['linux-4.4', 'ok', 0], ['linux-5.15', 'ENOMEM', 'SIGSEGV'], ['linux-6.18', 'ENOMEM', 'SIGSEGV']] as const) {
    const profile = buildProfile(name)!;
    t.equal(profile.behaviour.execOnlyPkey, name !== 'linux-4.4', `${name} gate`);
    const sys = new System(profile);
    t.equal(sys.settings.pkeys, true, 'a CPU with protection keys');
    const task = sys.newTask('main');
    loadEmpty(task);
    const x = sysMmap(task, { addr: 0n, len: 4n * Pn, prot: 4, flags: MAP_PRIVATE | MAP_ANONYMOUS, file: null, offset: 0n });
    if (!x.ok) throw new Error('mmap');
    const r = sysMlock(task, x.value, 4n * Pn);
    t.equal(r.ok ? 'ok' : 'errno' in r ? r.errno : r.signal, mlock, `${name}: mlock of PROT_EXEC-only`);
    const y = sysMmap(task, { addr: 0n, len: 4n * Pn, prot: 4, flags: MAP_PRIVATE | MAP_ANONYMOUS, file: null, offset: 0n });
    if (!y.ok) throw new Error('mmap');
    const b = readByte(task, y.value);
    t.equal('value' in b ? b.value : b.signal, readRes, `${name}: a read`);
    assertInvariants(sys);
  }
});
