// Seed 003: "[RFC][PATCH 1/5] mm: Introduce VM_PINNED and interfaces" (Peter
// Zijlstra, 26 May 2014). VM_PINNED marks VMAs a driver pins through mm_mpin()
// before get_user_pages (seed lines 226-266); pinned pages are counted once, in
// pinned_vm, and every RLIMIT_MEMLOCK check counts mm_locked_pages() = locked_vm +
// pinned_vm (lines 85-88, 289-290, 305-306, 326). mlock_fixup accounts by the PL→PL'
// table (lines 125-166); fork keeps VM_PINNED and charges the child's pinned_vm
// (lines 98-100); munmap gives back pinned_vm for VM_PINNED VMAs, else locked_vm
// (lines 334-346).
//
// As written, mm_munpin passes `start + len` as the length (line 278:
// do_mlock(start, start + len, MLOCK_F_PIN)): it unpins from start up to the first
// hole and returns ENOMEM. The model does the same. The seed's VM_PINNED value
// 0x1000 is VM_UFFD_WP on 6.18; the model keeps the flag in bit 31 (VM_MERGEABLE's
// bit: KSM is not modelled), which smaps has no letter for, as in the RFC. (Bit 27,
// used before, is VM_SOFTDIRTY, which the model now sets and merging ignores.) In JS
// bit operations bit 31 is the sign: tests are `& VM_PINNED` truthiness, and
// procfs keys flags with `>>> 0`. The patch does not touch mm/mremap.c: a moved
// VM_PINNED VMA is not re-charged.
import { PAGE_SHIFT } from '../constants.js';
import { err, OK, type SysResult } from '../errno.js';
import { applyVmaLockFlags, lockedForLimit, normaliseRange } from '../mlock.js';
import { canDoMlock, type Task } from '../mm.js';
import type { Patch } from '../profile.js';
import { VM_LOCKED } from '../vma.js';

export const VM_PINNED = 0x80000000 | 0;

/** mlock_fixup's table: [locked_vm, pinned_vm] deltas of a P/L change (seed lines 129-166). */
export function pinnedLockDelta(old: number, next: number, n: number): [number, number] {
  if (((old ^ next) & (VM_PINNED | VM_LOCKED)) === 0) return [0, 0]; // only VM_LOCKONFAULT changed (a flag the RFC predates)
  let pinned = 0, locked = 0;
  if ((old ^ next) & VM_PINNED) pinned = old & VM_PINNED ? -n : n;
  if (old & VM_PINNED) {
    if ((next & (VM_PINNED | VM_LOCKED)) === VM_LOCKED) locked = n;
  } else if (old & VM_LOCKED) locked = -n;
  else if (next & VM_LOCKED) locked = n;
  return [locked, pinned];
}

/** mm_mpin: can_do_mlock, len + mm_locked_pages() against RLIMIT_MEMLOCK, then do_mlock(MLOCK_F_ON | MLOCK_F_PIN). */
function mmMpin(t: Task, startIn: bigint, lenIn: bigint): SysResult {
  if (!canDoMlock(t)) return err('EPERM');
  const { start, len } = normaliseRange(startIn, lenIn);
  const locked = Number(len >> BigInt(PAGE_SHIFT)) + lockedForLimit(t);
  if (!(locked <= t.memlockLimitPages() || t.capIpcLock())) return err('ENOMEM');
  const e = applyVmaLockFlags(t, start, len, 0, (f) => f | VM_PINNED);
  return e ? err(e) : OK;
}

/** mm_munpin: do_mlock(start, start + len, MLOCK_F_PIN) — the length argument is start + len. */
function mmMunpin(t: Task, startIn: bigint, lenIn: bigint): SysResult {
  const { start, len } = normaliseRange(startIn, lenIn);
  const e = applyVmaLockFlags(t, start, start + len, 0, (f) => f & ~VM_PINNED);
  return e ? err(e) : OK;
}

export const VM_PINNED_PATCH: Patch = {
  name: 'vm-pinned',
  summary: 'VM_PINNED VMAs via mm_mpin/mm_munpin, counted once in pinned_vm; RLIMIT_MEMLOCK checks locked_vm + pinned_vm',
  source: 'seed 003, Peter Zijlstra "[RFC][PATCH 1/5] mm: Introduce VM_PINNED and interfaces", 2014-05-26 (mm/mlock.c, mm/mmap.c, kernel/fork.c)',
  behaviour: { limitCountsPinned: true },
  syscalls: { mpin: mmMpin, munpin: mmMunpin },
  hooks: {
    lockDelta: pinnedLockDelta,
    charge: (flags, pages) => (flags & VM_PINNED ? [0, pages] : flags & VM_LOCKED ? [pages, 0] : [0, 0]),
    afterFork(_parent, child) {
      // dup_mmap: VM_LOCKED cleared, VM_PINNED kept, pinned_vm += vma_pages(tmp).
      child.mm.vmas.forEach((v) => { if (v.flags & VM_PINNED) child.mm.pinnedVm += v.pages; });
    },
  },
};
