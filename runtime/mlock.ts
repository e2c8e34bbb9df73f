// Linux: mm/mlock.c (linux-6.18) — mlock, mlock2, munlock, mlockall, munlockall.
// Entry points validate, then mutate; see SPEC.md Part III §mlock for the order.
import { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MLOCK_ONFAULT, PAGE_SHIFT, TASK_SIZE_PAGES, U64_MASK } from './constants.js';
import { err, OK, type Errno, type KRet, type SysResult } from './errno.js';
import { mmPopulate } from './gup.js';
import { canDoMlock, type Task } from './mm.js';
import { vmaModifyFlags } from './vma-ops.js';
import { VM_LOCKED, VM_LOCKED_MASK, VM_LOCKONFAULT, vmaSupportsMlock, type Vma } from './vma.js';

const PAGE_MASK = ~((1n << BigInt(PAGE_SHIFT)) - 1n) & U64_MASK;
const PAGE = 1n << BigInt(PAGE_SHIFT);

/** do_mlock / munlock normalisation: len = PAGE_ALIGN(len + offset_in_page(start)) mod 2^64, start rounded down. */
export function normaliseRange(start: bigint, len: bigint): { start: bigint; len: bigint } {
  const s = start & U64_MASK;
  const l = (((len + (s & (PAGE - 1n))) & U64_MASK) + PAGE - 1n) & PAGE_MASK & U64_MASK;
  return { start: s & PAGE_MASK, len: l };
}

/** mm/mlock.c:count_mm_mlocked_page_nr: pages of [start, start+len) inside VM_LOCKED VMAs. */
export function countMmMlockedPageNr(t: Task, start: bigint, len: bigint): number {
  const endB = start + len > U64_MASK ? U64_MASK : start + len;
  const s = Number(start >> 12n), e = Number(endB >> 12n);
  let count = 0;
  for (const v of t.mm.vmas.overlapping(s, e)) {
    if (v.flags & VM_LOCKED) count += Math.min(v.end, e) - Math.max(v.start, s);
  }
  return count;
}

/**
 * mm/mlock.c:mlock_fixup. VMAs that can never be locked (VM_SPECIAL, hugetlb,
 * the gate VMA, DAX, secretmem, droppable) and unchanged flags are left alone and
 * still "succeed". Otherwise vma_modify_flags, then locked_vm += / -= pages.
 */
function mlockFixup(t: Task, vma: Vma, start: number, end: number, newFlags: number): { vma: Vma; error?: Errno } {
  const old = vma.flags;
  if (newFlags === old || !vmaSupportsMlock(vma) || vma.secretmem) return { vma };
  const r = vmaModifyFlags(t.mm, vma, start, end, newFlags);
  if (typeof r === 'string') return { vma, error: r };
  let n = end - start;
  if (!(newFlags & VM_LOCKED)) n = -n;
  else if (old & VM_LOCKED) n = 0;
  t.mm.lockedVm += n;
  return { vma: r };
}

/** mm/mlock.c:apply_vma_lock_flags on a normalised range; flags ⊆ VM_LOCKED_MASK. */
export function applyVmaLockFlags(t: Task, start: bigint, len: bigint, flags: number): KRet {
  const endB = start + len;
  if (endB > U64_MASK) return 'EINVAL';
  if (len === 0n) return 0;
  const s = Number(start >> 12n), e = Number(endB >> 12n);
  let vma = t.mm.vmas.lookup(s);
  if (!vma) return 'ENOMEM';
  let nstart = s;
  let tmp = vma.start;
  for (let v: Vma | undefined = vma; v && v.start < e; ) {
    if (v.start !== tmp) return 'ENOMEM';
    const newFlags = (v.flags & ~VM_LOCKED_MASK) | flags;
    tmp = Math.min(v.end, e);
    const r = mlockFixup(t, v, nstart, tmp, newFlags);
    if (r.error) return r.error;
    tmp = r.vma.end;
    nstart = tmp;
    v = t.mm.vmas.next(r.vma);
  }
  return tmp < e ? 'ENOMEM' : 0;
}

/** mm/mlock.c:__mlock_posix_error_return. */
function posixError(e: Errno): Errno { return e === 'EFAULT' ? 'ENOMEM' : e === 'ENOMEM' ? 'EAGAIN' : e; }

/** mm/mlock.c:do_mlock. */
export function doMlock(t: Task, startIn: bigint, lenIn: bigint, flags: number): SysResult {
  if (!canDoMlock(t)) return err('EPERM');
  const { start, len } = normaliseRange(startIn, lenIn);
  const limit = t.memlockLimitPages();
  let locked = Number(len >> 12n) + t.mm.lockedVm;
  if (locked > limit && !t.capIpcLock()) locked -= countMmMlockedPageNr(t, start, len);
  if (!(locked <= limit || t.capIpcLock())) return err('ENOMEM');
  const e = applyVmaLockFlags(t, start, len, flags);
  if (e) return err(e);
  const s = Number(start >> 12n);
  const p = mmPopulate(t, s, s + Number(len >> 12n), false);
  return p ? err(posixError(p)) : OK;
}

export function sysMlock(t: Task, start: bigint, len: bigint): SysResult { return doMlock(t, start, len, VM_LOCKED); }

/** SYSCALL_DEFINE3(mlock2): the flag check comes before everything else. */
export function sysMlock2(t: Task, start: bigint, len: bigint, flags: bigint): SysResult {
  if (flags & ~BigInt(MLOCK_ONFAULT)) return err('EINVAL');
  return doMlock(t, start, len, flags & BigInt(MLOCK_ONFAULT) ? VM_LOCKED | VM_LOCKONFAULT : VM_LOCKED);
}

/** SYSCALL_DEFINE2(munlock): no permission and no limit check, never populates. */
export function sysMunlock(t: Task, startIn: bigint, lenIn: bigint): SysResult {
  const { start, len } = normaliseRange(startIn, lenIn);
  const e = applyVmaLockFlags(t, start, len, 0);
  return e ? err(e) : OK;
}

/** mm/mlock.c:apply_mlockall_flags. Errors of mlock_fixup are ignored. */
function applyMlockallFlags(t: Task, flags: number): void {
  const mm = t.mm;
  mm.defFlags &= ~VM_LOCKED_MASK;
  if (flags & MCL_FUTURE) {
    mm.defFlags |= VM_LOCKED;
    if (flags & MCL_ONFAULT) mm.defFlags |= VM_LOCKONFAULT;
    if (!(flags & MCL_CURRENT)) return;
  }
  let toAdd = 0;
  if (flags & MCL_CURRENT) {
    toAdd |= VM_LOCKED;
    if (flags & MCL_ONFAULT) toAdd |= VM_LOCKONFAULT;
  }
  for (let v = mm.vmas.first(); v; ) {
    const r = mlockFixup(t, v, v.start, v.end, (v.flags & ~VM_LOCKED_MASK) | toAdd);
    v = mm.vmas.next(r.error ? v : r.vma);
  }
}

/** SYSCALL_DEFINE1(mlockall). */
export function sysMlockall(t: Task, flagsIn: bigint): SysResult {
  const valid = BigInt(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
  if (flagsIn === 0n || flagsIn & ~valid || flagsIn === BigInt(MCL_ONFAULT)) return err('EINVAL');
  const flags = Number(flagsIn);
  if (!canDoMlock(t)) return err('EPERM');
  const limit = t.memlockLimitPages();
  if (!(!(flags & MCL_CURRENT) || t.mm.totalVm <= limit || t.capIpcLock())) return err('ENOMEM');
  applyMlockallFlags(t, flags);
  if (flags & MCL_CURRENT) mmPopulate(t, 0, TASK_SIZE_PAGES, true);
  return OK;
}

/** SYSCALL_DEFINE0(munlockall). */
export function sysMunlockall(t: Task): SysResult {
  applyMlockallFlags(t, 0);
  return OK;
}
