// assertInvariants(): what must hold between any two syscalls. Tests call it
// after every step; a violation is a model bug, reported with the first broken rule.
import { MMAP_MIN_PAGES, TASK_SIZE_PAGES } from './constants.js';
import { checkHuge } from './huge-memory.js';
import { isDataMapping, type Mm } from './mm.js';
import type { System } from './system.js';
import { VM_LOCKED, VM_LOCKONFAULT, vmaSupportsMlock } from './vma.js';

export class InvariantError extends Error {}

export function checkMm(mm: Mm): string | null {
  const tree = mm.vmas.check();
  if (tree) return `vma tree: ${tree}`;
  let prevEnd = -1, total = 0, locked = 0, data = 0;
  let bad: string | null = null;
  mm.vmas.forEach((v) => {
    if (bad) return;
    if (!(v.start < v.end)) bad = `empty VMA at page ${v.start}`;
    else if (v.start < prevEnd) bad = `VMAs overlap at page ${v.start}`;
    else if (v.start < 0 || v.end > TASK_SIZE_PAGES) bad = `VMA [${v.start}, ${v.end}) outside the user address space`;
    else if (v.flags & VM_LOCKONFAULT && !(v.flags & VM_LOCKED)) bad = `VM_LOCKONFAULT without VM_LOCKED at page ${v.start}`;
    else if (v.flags & VM_LOCKED && !vmaSupportsMlock(v)) bad = `VM_LOCKED on a VMA that cannot be locked at page ${v.start}`;
    else if ((v.file === null) !== (v.vmFile === null)) bad = `VMA at page ${v.start}: a file without a struct file, or the reverse`;
    prevEnd = v.end;
    total += v.pages;
    if (isDataMapping(v.flags)) data += v.pages;
    const charge = mm.system.profile.hooks.charge;
    if (charge) locked += charge(v.flags, v.pages)[0];
    else if (v.flags & VM_LOCKED) locked += v.pages;
  });
  if (bad) return bad;
  void MMAP_MIN_PAGES;
  if (mm.totalVm !== total) return `total_vm ${mm.totalVm} != ${total} pages of VMAs`;
  if (mm.dataVm !== data) return `data_vm ${mm.dataVm} != ${data} pages of data VMAs`;
  if (mm.lockedVm !== locked + mm.lockedVmLeak) {
    return `locked_vm ${mm.lockedVm} != ${locked} locked VMA pages + ${mm.lockedVmLeak} leaked (mremap DONTUNMAP)`;
  }
  if (mm.pinnedVm < 0) return `pinned_vm ${mm.pinnedVm} < 0`;
  const ptErr = mm.pt.check();
  if (ptErr) return `page table: ${ptErr}`;
  const hugeErr = checkHuge(mm);
  if (hugeErr) return `transparent huge pages: ${hugeErr}`;
  // Every PTE lies inside a VMA.
  let rss = 0;
  for (const r of mm.pt.allRuns()) {
    if (!(r.start < r.end)) return `empty PTE run at ${r.start}`;
    let cur = r.start;
    while (cur < r.end) {
      const v = mm.vmas.lookup(cur);
      if (!v) return `PTE at page ${cur} outside every VMA`;
      cur = v.end;
    }
    if (r.obj.countsRss) rss += r.end - r.start;
  }
  const c = mm.pt.rss;
  if (c.anon + c.file + c.shmem !== rss) return `rss counters ${c.anon + c.file + c.shmem} != ${rss} mapped pages`;
  return null;
}

export function assertInvariants(sys: System): void {
  for (const t of sys.liveTasks()) {
    const e = checkMm(t.mm);
    if (e) throw new InvariantError(`${t.name}: ${e}`);
  }
  for (const [uid, n] of sys.userLockedVm.entries()) if (n < 0) throw new InvariantError(`user ${uid}'s locked_vm ${n} < 0`);
  for (const [uid, n] of sys.shm.userLockedPages.entries()) if (n < 0) throw new InvariantError(`user ${uid}'s locked_shm ${n} < 0`);
}
