// Linux: struct mm_struct (include/linux/mm_types.h) and the task fields the mm
// code reads: credentials (capable(CAP_IPC_LOCK)) and rlimits (task->signal->rlim).
//
// Invariants (checked by invariants.ts after every step in tests):
// - vmas are sorted and disjoint, each inside [MMAP_MIN, TASK_SIZE);
// - totalVm = sum of VMA pages; lockedVm = pages of VM_LOCKED VMAs + lockedVmLeak
//   (the documented mremap DONTUNMAP leak of 6.18);
// - every PTE run lies inside a VMA.
// Counters change only where the kernel changes them (the mutation points in
// vma-ops.ts, mlock.ts, mremap.ts, brk.ts, stack.ts).
import { PAGE_SHIFT, RLIM_INFINITY } from './constants.js';
import { ALL_CAPS, capable, rootCreds, type Creds } from './creds.js';
import { PageTable } from './page-table.js';
import { MemObject } from './pages.js';
import { VmaTree } from './vma-tree.js';
import { VM_GROWSDOWN, VM_LOCKED, VM_SHARED, VM_WRITE } from './vma.js';

/** mm/internal.h:is_data_mapping: private, writable, not a stack (VM_STACK is VM_GROWSDOWN on x86). */
export function isDataMapping(flags: number): boolean {
  return (flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) === VM_WRITE;
}
import type { System } from './system.js';

export class Mm {
  readonly vmas = new VmaTree();
  readonly pt = new PageTable();
  /** Pool of private anonymous pages faulted in this mm (fresh per mm; fork shares the parent's pages COW). */
  readonly anon = new MemObject('anon', 'anon');
  /** mm->locked_vm, mm->pinned_vm, mm->total_vm: pages. */
  lockedVm = 0;
  pinnedVm = 0;
  totalVm = 0;
  /** locked_vm no VMA accounts for any more (6.18 mremap DONTUNMAP); part of lockedVm. */
  lockedVmLeak = 0;
  /** mm->def_flags (only VM_LOCKED_MASK and VM_NOHUGEPAGE bits are ever set). */
  defFlags = 0;
  /** mm->start_brk and mm->brk, in bytes (brk is byte-granular). */
  startBrk = 0;
  brk = 0;
  /** mm->start_stack (a page number inside the initial stack VMA); -1: none. */
  startStack = -1;
  /** Current stack pointer page of the main thread (grow_stack touches below it). */
  stackPointer = -1;
  /** mm->mmap_base: top-down allocations search below this page. */
  mmapBase = 0;
  /** Long-term pins (pin.ts), each charged to pinned_vm and, unless CAP_IPC_LOCK, to user `charged`'s locked_vm. */
  readonly pins: Array<{ start: number; end: number; charged: number | null }> = [];
  /** The gate VMA [vsyscall] exists for this mm (x86_64: always, except the model's empty image). */
  gate = false;
  /** mm->mcl_inherit of the MCL_INHERIT patch (seed 000): MCL_INHERIT|MCL_RECURSIVE as given to mlockall; 0 on mainline. */
  mclInherit = 0;
  /** The mm-wide lock-on-fault mode of the mcl-nopopulate-locked patch (seed 004); false on mainline. */
  nopopulateLocked = false;
  constructor(readonly system: System) {}

  get mapCount(): number { return this.vmas.count; }

  /** mm->data_vm: pages of private writable non-stack VMAs (is_data_mapping). */
  dataVm = 0;
  /** mm->start_data / end_data in bytes (the executable's data segment), for check_data_rlimit. */
  startData = 0;
  endData = 0;

  /** mm/vma.c:vm_stat_account: total_vm, and data_vm for data mappings. */
  statAccount(flags: number, pages: number): void {
    this.totalVm += pages;
    if (isDataMapping(flags)) this.dataVm += pages;
  }

  /** Pages of VM_LOCKED VMAs (what locked_vm would be without leaks). */
  lockedPagesInVmas(): number {
    let n = 0;
    this.vmas.forEach((v) => { if (v.flags & VM_LOCKED) n += v.pages; });
    return n;
  }
}

export type RlimitName = 'memlock' | 'as' | 'data' | 'stack';
export interface Rlimit { cur: bigint; max: bigint }

let nextPid = 100;

export class Task {
  readonly pid = nextPid++;
  alive = true;
  /** Capability sets (creds.ts); root with every capability until an image says otherwise. */
  creds: Creds = rootCreds(ALL_CAPS);
  rlimits: Record<RlimitName, Rlimit> = {
    memlock: { cur: 8n << 20n, max: 8n << 20n },
    as: { cur: RLIM_INFINITY, max: RLIM_INFINITY },
    data: { cur: RLIM_INFINITY, max: RLIM_INFINITY },
    stack: { cur: 8n << 20n, max: RLIM_INFINITY },
  };
  /**
   * current->min_flt: successful handle_mm_fault calls, user faults and GUP's alike
   * (mm/memory.c:mm_account_fault since v5.10; the model has no major faults).
   */
  minFlt = 0;
  constructor(public name: string, public mm: Mm) {}

  get system(): System { return this.mm.system; }

  /** capable(CAP_IPC_LOCK). */
  capIpcLock(): boolean { return capable(this, 'ipc_lock'); }

  /** rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT, exact below 2^52 pages. */
  memlockLimitPages(): number { return Number(this.rlimits.memlock.cur >> BigInt(PAGE_SHIFT)); }
}

/** mm/mlock.c:can_do_mlock. */
export function canDoMlock(t: Task): boolean {
  if (t.rlimits.memlock.cur !== 0n) return true;
  return t.capIpcLock();
}

/** mm/mmap.c:mlock_future_ok (6.18 signature: vm_flags, bytes). */
export function mlockFutureOk(t: Task, vmFlags: number, pages: number): boolean {
  if (!(vmFlags & VM_LOCKED) || t.capIpcLock()) return true;
  // VM_PINNED proposal (seed 003, mm/mmap.c:mlock_future_check): mm_locked_pages = locked_vm + pinned_vm.
  const pinned = t.system.profile.behaviour.limitCountsPinned ? t.mm.pinnedVm : 0;
  return pages + t.mm.lockedVm + pinned <= t.memlockLimitPages();
}

/**
 * mm/mmap.c:may_expand_vm: RLIMIT_AS on total_vm; RLIMIT_DATA on data_vm for data
 * mappings, where a soft limit of 0 is tolerated up to the hard limit (the
 * Valgrind workaround) and ignore_rlimit_data is off.
 */
export function mayExpandVm(t: Task, flags: number, pages: number): boolean {
  const shift = BigInt(PAGE_SHIFT);
  const as = t.rlimits.as.cur;
  if (as !== RLIM_INFINITY && BigInt(t.mm.totalVm + pages) > as >> shift) return false;
  const data = t.rlimits.data;
  if (isDataMapping(flags) && data.cur !== RLIM_INFINITY && BigInt(t.mm.dataVm + pages) > data.cur >> shift) {
    return data.cur === 0n && (data.max === RLIM_INFINITY || BigInt(t.mm.dataVm + pages) <= data.max >> shift);
  }
  return true;
}
