// Linux: mm/mlock.c (linux-6.18) — mlock, mlock2, munlock, mlockall, munlockall.
// Entry points validate, then mutate; see SPEC.md Part III §mlock for the order.
import { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MLOCK_ONFAULT, PAGE_SHIFT, TASK_SIZE_PAGES, U64_MASK } from './constants.js';
import { err, OK, type Errno, type KRet, type SysResult } from './errno.js';
import { mmPopulate } from './gup.js';
import { canDoMlock, type Task } from './mm.js';
import { MlockCounts } from './mlock-count.js';
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
export function mlockFixup(t: Task, vma: Vma, start: number, end: number, newFlags: number): { vma: Vma; error?: Errno } {
  const old = vma.flags;
  if (newFlags === old || !vmaSupportsMlock(vma) || vma.secretmem) return { vma };
  const r = vmaModifyFlags(t.mm, vma, start, end, newFlags);
  if (typeof r === 'string') return { vma, error: r };
  accountLockChange(t, old, newFlags, end - start);
  if ((old ^ newFlags) & VM_LOCKED && MlockCounts.any) countStrandedMlocks(t, start, end, (newFlags & VM_LOCKED) !== 0);
  return { vma: r };
}

/**
 * mm/mlock.c:mlock_pte_range: mlock_folio / munlock_folio on every folio the range
 * maps. Only the stranded ones (runtime/mlock-count.ts) carry a count in the model.
 */
function countStrandedMlocks(t: Task, start: number, end: number, lock: boolean): void {
  t.mm.pt.forEachIn(start, end, (a, b, obj, base) => {
    const c = obj.strandedMlock;
    if (c.size === 0) return;
    for (let i = base; i < base + b - a; i++) if (lock) c.mlock(i); else c.munlock(i);
  });
}

/**
 * The locked_vm (and, with a patch, pinned_vm) change of a flag change: ±pages on
 * unlocked↔locked. Before b155b4fde5bd (v4.9) every change of the lock bits added
 * the pages again when the VMA stayed locked (LTP mlock203); the excess is a drift
 * no VMA accounts for, kept in lockedVmLeak.
 */
export function accountLockChange(t: Task, old: number, newFlags: number, pages: number): void {
  const mm = t.mm, prof = t.system.profile;
  if (prof.hooks.lockDelta) {
    const [l, p] = prof.hooks.lockDelta(old, newFlags, pages);
    mm.lockedVm += l;
    mm.pinnedVm += p;
    return;
  }
  if (!(newFlags & VM_LOCKED)) mm.lockedVm -= old & VM_LOCKED ? pages : 0;
  else if (!(old & VM_LOCKED)) mm.lockedVm += pages;
  else if (prof.behaviour.relockCountsTwice && (old & VM_LOCKED_MASK) !== (newFlags & VM_LOCKED_MASK)) {
    mm.lockedVm += pages;
    mm.lockedVmLeak += pages;
  }
}

/** mm_locked_pages: what RLIMIT_MEMLOCK checks (locked_vm; + pinned_vm with the VM_PINNED patch). */
export function lockedForLimit(t: Task): number {
  return t.mm.lockedVm + (t.system.profile.behaviour.limitCountsPinned ? t.mm.pinnedVm : 0);
}

/**
 * mm/mlock.c:apply_vma_lock_flags on a normalised range; flags ⊆ VM_LOCKED_MASK.
 * `newFlagsOf` gives a VMA's new flags (default: lock bits replaced by `flags`).
 */
export function applyVmaLockFlags(t: Task, start: bigint, len: bigint, flags: number, newFlagsOf = (f: number): number => (f & ~VM_LOCKED_MASK) | flags): KRet {
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
    const newFlags = newFlagsOf(v.flags);
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
export function posixError(e: Errno): Errno { return e === 'EFAULT' ? 'ENOMEM' : e === 'ENOMEM' ? 'EAGAIN' : e; }

/** do_mlock up to the lock: can_do_mlock (EPERM), normalisation, the RLIMIT_MEMLOCK check (ENOMEM). */
export function mlockPrecheck(t: Task, startIn: bigint, lenIn: bigint): { start: bigint; len: bigint } | Errno {
  if (!canDoMlock(t)) return 'EPERM';
  const { start, len } = normaliseRange(startIn, lenIn);
  const limit = t.memlockLimitPages();
  let locked = Number(len >> 12n) + lockedForLimit(t);
  // count_mm_mlocked_page_nr arrived with 0cf2f6f6dc60 (v4.9).
  if (locked > limit && !t.capIpcLock() && !t.system.profile.behaviour.limitChargesLockedAgain) locked -= countMmMlockedPageNr(t, start, len);
  if (!(locked <= limit || t.capIpcLock())) return 'ENOMEM';
  return { start, len };
}

/** mm/mlock.c:do_mlock. */
export function doMlock(t: Task, startIn: bigint, lenIn: bigint, flags: number): SysResult {
  const pre = mlockPrecheck(t, startIn, lenIn);
  if (typeof pre === 'string') return err(pre);
  const { start, len } = pre;
  const e = applyVmaLockFlags(t, start, len, flags);
  if (e) return err(e);
  const s = Number(start >> 12n);
  const p = mmPopulate(t, s, s + Number(len >> 12n), false);
  return p ? err(posixError(p)) : OK;
}

export function sysMlock(t: Task, start: bigint, len: bigint): SysResult {
  const o = t.system.profile.syscalls.mlock;
  return o ? o(t, start, len) : doMlock(t, start, len, VM_LOCKED);
}

/** SYSCALL_DEFINE3(mlock2): the flag check comes before everything else. mlock2 arrived in v4.4 (a8ca5d0ecbdd). */
export function sysMlock2(t: Task, start: bigint, len: bigint, flags: bigint): SysResult {
  if (!t.system.profile.behaviour.lockOnFault) return err('ENOSYS');
  const o = t.system.profile.syscalls.mlock2;
  if (o) return o(t, start, len, flags);
  if (flags & ~BigInt(MLOCK_ONFAULT)) return err('EINVAL');
  return doMlock(t, start, len, flags & BigInt(MLOCK_ONFAULT) ? VM_LOCKED | VM_LOCKONFAULT : VM_LOCKED);
}

/** SYSCALL_DEFINE2(munlock): no permission and no limit check, never populates. */
export function sysMunlock(t: Task, startIn: bigint, lenIn: bigint): SysResult {
  const o = t.system.profile.syscalls.munlock;
  if (o) return o(t, startIn, lenIn);
  const { start, len } = normaliseRange(startIn, lenIn);
  const e = applyVmaLockFlags(t, start, len, 0);
  return e ? err(e) : OK;
}

/** mm/mlock.c:apply_mlockall_flags. Errors of mlock_fixup are ignored. */
export function applyMlockallFlags(t: Task, flags: number): void {
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
  const o = t.system.profile.syscalls.mlockall;
  if (o) return o(t, flagsIn);
  const e = mlockallCheck(t, flagsIn);
  if (e) return err(e);
  const flags = Number(flagsIn);
  applyMlockallFlags(t, flags);
  if (flags & MCL_CURRENT) mmPopulate(t, 0, TASK_SIZE_PAGES, true);
  return OK;
}

/**
 * SYSCALL_DEFINE1(mlockall) checks: flag validation (MCL_ONFAULT only since v4.4,
 * b0f205c2a308, and never alone), can_do_mlock EPERM, MCL_CURRENT with total_vm
 * over the limit ENOMEM. `extra`: flag bits a patch adds.
 */
export function mlockallCheck(t: Task, flagsIn: bigint, extra = 0n): Errno | 0 {
  const onfault = t.system.profile.behaviour.lockOnFault ? BigInt(MCL_ONFAULT) : 0n;
  const valid = BigInt(MCL_CURRENT | MCL_FUTURE) | onfault | extra;
  if (flagsIn === 0n || flagsIn & ~valid || (onfault && flagsIn === onfault)) return 'EINVAL';
  if (!canDoMlock(t)) return 'EPERM';
  const limit = t.memlockLimitPages();
  if ((Number(flagsIn & 0xffn) & MCL_CURRENT) && t.mm.totalVm > limit && !t.capIpcLock()) return 'ENOMEM';
  return 0;
}

/** SYSCALL_DEFINE0(munlockall). */
export function sysMunlockall(t: Task): SysResult {
  const o = t.system.profile.syscalls.munlockall;
  if (o) return o(t);
  applyMlockallFlags(t, 0);
  return OK;
}
