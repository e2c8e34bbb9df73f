// Linux: mm/mmap.c:expand_stack / expand_downwards and acct_stack_growth
// (linux-6.18). The stack grows when a fault hits just below a VM_GROWSDOWN VMA.
import { PAGE_SHIFT, STACK_GUARD_GAP_PAGES } from './constants.js';
import { anonVmaPrepare } from './fault.js';
import { mayExpandVm, mlockFutureOk, type Task } from './mm.js';
import { VM_ACCESS_FLAGS, VM_GROWSDOWN, VM_LOCKED, type Vma } from './vma.js';

/**
 * mm/mmap.c:acct_stack_growth: RLIMIT_AS, RLIMIT_STACK on the new size,
 * mlock_future_ok for a VM_LOCKED stack. Any failure is -ENOMEM (SIGSEGV at the fault).
 */
function acctStackGrowth(t: Task, v: Vma, size: number, grow: number): boolean {
  if (!mayExpandVm(t, v.flags, grow)) return false;
  if (BigInt(size) << BigInt(PAGE_SHIFT) > t.rlimits.stack.cur) return false;
  if (!mlockFutureOk(t, v.flags, grow)) return false;
  return true;
}

/**
 * mm/mmap.c:expand_downwards: extend v down to page `addr`. The gap below must
 * keep stack_guard_gap pages free of an accessible VMA that is not itself a stack.
 */
export function expandDownwards(t: Task, v: Vma, addr: number): boolean {
  if (!(v.flags & VM_GROWSDOWN)) return false;
  const mm = t.mm;
  const prev = mm.vmas.prev(v);
  if (prev && !(prev.flags & VM_GROWSDOWN) && prev.flags & VM_ACCESS_FLAGS) {
    if (addr - prev.end < STACK_GUARD_GAP_PAGES) return false;
  }
  if (prev && prev.end > addr) return false;
  if (addr >= v.start) return true;
  // mm/vma.c:expand_downwards (6.18) prepares the anon_vma before it checks the growth, so
  // even a refused expansion leaves the stack VMA with one: fork then copies its page
  // tables (zero-page PTEs included; mm/memory.c:vma_needs_copy) [C].
  anonVmaPrepare(mm, v);
  const grow = v.start - addr;
  if (!acctStackGrowth(t, v, v.end - addr, grow)) return false;
  if (v.flags & VM_LOCKED) mm.lockedVm += grow;
  mm.statAccount(v.flags, grow);
  v.pgoff -= grow;
  mm.vmas.setStart(v, addr);
  return true;
}
