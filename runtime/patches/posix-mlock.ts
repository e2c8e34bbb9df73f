// Seed 001: "[PATCH 2.6.16] mm: POSIX Memory Lock" (Stone Wang, 29 Mar 2006),
// forward-ported onto the profile's base. POSIX (seed lines 17-22): a failed
// mlock/munlock makes "no change ... to any locks". The patch rewrites do_mlock /
// do_munlock (seed lines 89-360) as: walk the range, split and mark the VMAs that
// change (VM_CHANGELOCK), populate each as it goes, stop at the first error or
// hole; then one vma_merge pass that either commits (VM_LOCKED kept, locked_vm
// += pages) or rolls back (VM_LOCKED cleared again, the splits merged back,
// locked_vm untouched). mlockall/munlockall call the same walk over every VMA,
// jumping holes (seed lines 174-182, 318-326), and now return its error.
//
// Port decisions (SPEC.md Part IV): VMAs the base can never lock
// (vma_supports_mlock) are skipped as the base's mlock_fixup does; a populate
// failure returns what the base's populate gives through __mlock_posix_error_return
// (2.6.16's make_pages_present returned a bare -1); the limit checks of
// sys_mlock/sys_mlockall are unchanged (seed lines 363-370). As in the patch,
// munlockall no longer clears mm->def_flags (seed lines 406-426: do_munlockall
// only unlocks VMAs), so MCL_FUTURE survives munlockall.
import { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MLOCK_ONFAULT, TASK_SIZE_PAGES, U64_MASK } from '../constants.js';
import { err, OK, type Errno, type SysResult } from '../errno.js';
import { populateVmaPageRange } from '../gup.js';
import { accountLockChange, mlockallCheck, mlockPrecheck, normaliseRange, posixError } from '../mlock.js';
import type { Task } from '../mm.js';
import type { Patch } from '../profile.js';
import { splitVma, vmaModifyFlags } from '../vma-ops.js';
import { VM_IO, VM_LOCKED, VM_LOCKED_MASK, VM_LOCKONFAULT, VM_PFNMAP, vmaSupportsMlock, type Vma } from '../vma.js';

/** make_pages_present on one VMA: every page, or the first error. */
function makePagesPresent(t: Task, v: Vma): Errno | 0 {
  for (let cur = v.start; cur < v.end; ) {
    const r = populateVmaPageRange(t, v, cur, v.end);
    if (typeof r === 'string') return r;
    if (r === 0) return 'EFAULT';
    cur += r;
  }
  return 0;
}

/**
 * The patch's do_mlock (populate: true) and do_munlock (flags 0) on pages
 * [s, e): all or nothing. Returns 0 or the errno; on error no lock changed.
 */
export function transactionalLock(t: Task, s: number, e: number, flags: number, jumpHole: boolean): Errno | 0 {
  const mm = t.mm;
  let v = mm.vmas.lookup(s);
  if (!v) return 'ENOMEM';
  const changed: Array<{ vma: Vma; old: number }> = [];
  let ret: Errno | 0 = 0;
  for (;;) {
    const lockable = vmaSupportsMlock(v) && !v.secretmem;
    const wants = (v.flags & VM_LOCKED_MASK) !== flags && lockable;
    if (!lockable && flags & VM_LOCKED && !(v.flags & (VM_IO | VM_PFNMAP))) {
      // The base never locks these, but the patch's loop still make_pages_present()s them (as mainline's __mm_populate does).
      const p = makePagesPresent(t, v);
      if (p) { ret = posixError(p); break; }
    }
    if (wants) {
      if (v.start < s) {
        const r = splitVma(mm, v, s, true);
        if (typeof r === 'string') { ret = r; break; }
        v = r;
      }
      if (v.end > e) {
        const r = splitVma(mm, v, e, true);
        if (typeof r === 'string') { ret = r; break; }
      }
      changed.push({ vma: v, old: v.flags });
      v.flags = (v.flags & ~VM_LOCKED_MASK) | flags;
      if (flags & VM_LOCKED && !(v.flags & VM_IO)) {
        const p = makePagesPresent(t, v);
        if (p) { ret = posixError(p); break; }
      }
    }
    if (v.end >= e) break;
    const prev: Vma = v;
    const next = mm.vmas.next(v);
    if (jumpHole) {
      if (!next) break;
      v = next;
      continue;
    }
    if (!next || next.start !== prev.end) { ret = 'ENOMEM'; break; }
    v = next;
  }
  // VM_CHANGELOCK pass: roll back or commit, then vma_merge what was split.
  for (const c of changed) {
    const now = c.vma.flags;
    if (ret) c.vma.flags = c.old;
    else accountLockChange(t, c.old, now, c.vma.pages);
  }
  for (const c of changed) {
    if (mm.vmas.lookup(c.vma.start) === c.vma) vmaModifyFlags(mm, c.vma, c.vma.start, c.vma.end, c.vma.flags);
  }
  return ret;
}

function lockRange(t: Task, startIn: bigint, lenIn: bigint, flags: number): SysResult {
  const pre = mlockPrecheck(t, startIn, lenIn);
  if (typeof pre === 'string') return err(pre);
  const { start, len } = pre;
  if (start + len > U64_MASK) return err('EINVAL');
  if (len === 0n) return OK;
  const e = transactionalLock(t, Number(start >> 12n), Number((start + len) >> 12n), flags, false);
  return e ? err(e) : OK;
}

export const POSIX_MLOCK_PATCH: Patch = {
  name: 'posix-mlock',
  summary: 'all-or-nothing mlock/munlock (POSIX): a failure changes no lock; mlockall/munlockall jump holes and report errors',
  source: 'seed 001, Stone Wang "[PATCH 2.6.16] mm: POSIX Memory Lock", 2006-03-29 (mm/mlock.c do_mlock/do_munlock/do_mlockall)',
  syscalls: {
    mlock: (t, start, len) => lockRange(t, start, len, VM_LOCKED),
    mlock2: (t, start, len, flags) => {
      if (flags & ~BigInt(MLOCK_ONFAULT)) return err('EINVAL');
      return lockRange(t, start, len, flags & BigInt(MLOCK_ONFAULT) ? VM_LOCKED | VM_LOCKONFAULT : VM_LOCKED);
    },
    munlock: (t, startIn, lenIn) => {
      const { start, len } = normaliseRange(startIn, lenIn);
      if (start + len > U64_MASK) return err('EINVAL');
      if (len === 0n) return OK;
      const e = transactionalLock(t, Number(start >> 12n), Number((start + len) >> 12n), 0, false);
      return e ? err(e) : OK;
    },
    mlockall: (t, flagsIn) => {
      const c = mlockallCheck(t, flagsIn);
      if (c) return err(c);
      const flags = Number(flagsIn);
      const mm = t.mm;
      // do_mlockall: def_flags = VM_LOCKED (| VM_LOCKONFAULT on a base with MCL_ONFAULT) for MCL_FUTURE.
      mm.defFlags &= ~VM_LOCKED_MASK;
      if (flags & MCL_FUTURE) mm.defFlags |= VM_LOCKED | (flags & MCL_ONFAULT ? VM_LOCKONFAULT : 0);
      if (!(flags & MCL_CURRENT)) return OK;
      const first = mm.vmas.first();
      if (!first) return OK; // the patch dereferences mm->mmap here: an empty mm would oops
      const e = transactionalLock(t, first.start, TASK_SIZE_PAGES, VM_LOCKED | (flags & MCL_ONFAULT ? VM_LOCKONFAULT : 0), true);
      return e ? err(e) : OK;
    },
    munlockall: (t) => {
      const first = t.mm.vmas.first();
      if (!first) return OK;
      const e = transactionalLock(t, first.start, TASK_SIZE_PAGES, 0, true);
      return e ? err(e) : OK;
    },
  },
};
