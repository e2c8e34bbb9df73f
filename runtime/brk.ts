// Linux: mm/mmap.c SYSCALL brk, check_brk_limits; mm/vma.c:do_brk_flags (linux-6.18).
import { PAGE_SIZE, RLIM_INFINITY, STACK_GUARD_GAP_PAGES, TASK_SIZE_PAGES } from './constants.js';
import { mmPopulate } from './gup.js';
import { mayExpandVm, mlockFutureOk, type Task } from './mm.js';
import { doMunmap, insertVma } from './vma-ops.js';
import { vmStartGap } from './vma-tree.js';
import { Vma, VM_ACCOUNT, VM_LOCKED, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_SOFTDIRTY, VM_WRITE } from './vma.js';

/** x86 VM_DATA_DEFAULT_FLAGS (no READ_IMPLIES_EXEC). */
const VM_DATA_DEFAULT_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

const pageUp = (b: number): number => Math.ceil(b / PAGE_SIZE);

/** mm/vma.c:do_brk_flags: extend the heap VMA or create one, with def_flags. */
function doBrkFlags(t: Task, addr: number, len: number): boolean {
  const mm = t.mm;
  const flags = VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm.defFlags;
  if (!mayExpandVm(t, flags, len)) return false;
  if (mm.mapCount > mm.system.maxMapCount) return false;
  // With CONFIG_MEM_SOFT_DIRTY the new or expanded heap VMA gets VM_SOFTDIRTY (do_brk_flags, out:).
  const sd = t.system.settings.softDirty ? VM_SOFTDIRTY : 0;
  insertVma(mm, new Vma(addr, addr + len, flags | sd, addr, null)).flags |= sd;
  mm.statAccount(flags, len);
  if (flags & VM_LOCKED) mm.lockedVm += len;
  return true;
}

/** SYSCALL_DEFINE1(brk): returns the new break, or the old one on failure. */
export function sysBrk(t: Task, brk: number): number {
  const mm = t.mm;
  const origbrk = mm.brk;
  if (brk < mm.startBrk) return origbrk;
  // check_data_rlimit: the heap plus the data segment must fit RLIMIT_DATA.
  const data = t.rlimits.data.cur;
  if (data !== RLIM_INFINITY && BigInt(brk - mm.startBrk + (mm.endData - mm.startData)) > data) return origbrk;
  const newbrk = pageUp(brk), oldbrk = pageUp(mm.brk);
  if (oldbrk === newbrk) { mm.brk = brk; return brk; }
  if (brk <= mm.brk) {
    const v = mm.vmas.find(newbrk);
    if (!v || v.start >= oldbrk) return origbrk;
    mm.brk = brk;
    if (doMunmap(t, newbrk, oldbrk)) { mm.brk = origbrk; return origbrk; }
    return brk;
  }
  // check_brk_limits: get_unmapped_area(MAP_FIXED) bounds, then mlock_future_ok on def_flags.
  if (newbrk > TASK_SIZE_PAGES) return origbrk;
  if (!mlockFutureOk(t, mm.defFlags, newbrk - oldbrk)) return origbrk;
  const next = mm.vmas.find(oldbrk);
  if (next && next.start < newbrk + 1 + STACK_GUARD_GAP_PAGES && newbrk + 1 > vmStartGap(next)) return origbrk;
  if (!doBrkFlags(t, oldbrk, newbrk - oldbrk)) return origbrk;
  mm.brk = brk;
  if (mm.defFlags & VM_LOCKED) mmPopulate(t, oldbrk, newbrk, true);
  return brk;
}
