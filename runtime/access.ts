// User-space memory accesses, as the CPU and arch/x86/mm/fault.c:do_user_addr_fault
// see them: find the VMA (growing a stack below a VM_GROWSDOWN VMA), check access
// (reads need r or w when the CPU has protection keys: exec-only mappings carry the
// execute-only pkey; without pkeys any accessible VMA is readable; writes need VM_WRITE), then
// handle_mm_fault. Failures are signals: SIGSEGV (no VMA, bad access, guard
// marker, stack limit), SIGBUS (file page past EOF, no huge page).
import { PAGE_SHIFT, PAGE_SIZE } from './constants.js';
import type { Signal } from './errno.js';
import { anonVmaPrepare, faultRange } from './fault.js';
import type { Task } from './mm.js';
import { execOnlyUnreadable } from './settings.js';
import type { Run } from './page-table.js';
import { GUARD_MARKER } from './pages.js';
import { mayFaultHuge } from './huge-memory.js';
import { expandDownwards } from './stack.js';
import { VM_GROWSDOWN, VM_WRITE, type Vma } from './vma.js';

/** lock_mm_and_find_vma: the VMA for a faulting page, growing the stack if needed. */
function vmaForFault(t: Task, vpn: number): Vma | undefined {
  const mm = t.mm;
  const v = mm.vmas.find(vpn);
  if (!v) return undefined;
  if (v.start <= vpn) return v;
  if (!(v.flags & VM_GROWSDOWN)) return undefined;
  return expandDownwards(t, v, vpn) ? v : undefined;
}

/** Fault page vpn in for read or write: the run now mapping it, or the signal. */
function faultPage(t: Task, vpn: number, write: boolean): Run | Signal {
  t.system.checkpoint.tick(); // a user access: where a fatal signal is taken
  const v = vmaForFault(t, vpn);
  if (!v) return 'SIGSEGV';
  if (write ? !(v.flags & VM_WRITE) : !v.isReadable(execOnlyUnreadable(t.system.settings, t.system.profile.behaviour))) return 'SIGSEGV';
  const mm = t.mm, pt = mm.pt;
  if (write && v.file === null && v.special === null && !mayFaultHuge(t, v, vpn)) {
    // do_anonymous_page on an empty PTE, the common case: one page-table lookup.
    if (!v.anonVma) anonVmaPrepare(mm, v);
    const run = pt.lookupOrMapOne(vpn, mm.anon);
    if (pt.lastFresh) { t.minFlt++; return run; }
  } else {
    // A guard marker is present but never readable: faultRange turns it into SIGSEGV.
    const present = pt.lookup(vpn);
    if (present && !write && present.obj !== GUARD_MARKER) return present;
  }
  const r = faultRange(t, v, vpn, vpn + 1, write);
  if (r.error) return r.error === 'SIGBUS' ? 'SIGBUS' : 'SIGSEGV';
  return pt.lookup(vpn)!;
}

/** Touch page vpn for read or write. */
export function touchPage(t: Task, vpn: number, write: boolean): Signal | null {
  const r = faultPage(t, vpn, write);
  return typeof r === 'string' ? r : null;
}

const SHIFT = BigInt(PAGE_SHIFT);
const MASK = BigInt(PAGE_SIZE - 1);
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether a user address converts to a number exactly (every user address does; 2^53 > TASK_SIZE). */
const exact = (addr: bigint): boolean => addr >= 0n && addr <= SAFE;

/** Read one byte at a user address. */
export function readByte(t: Task, addr: bigint): { signal: Signal } | { value: number } {
  if (!exact(addr)) return readByteAt(t, Number(addr >> SHIFT), Number(addr & MASK));
  const a = Number(addr), vpn = Math.floor(a / PAGE_SIZE);
  return readByteAt(t, vpn, a - vpn * PAGE_SIZE);
}

/** Read the byte at offset off of page vpn. */
export function readByteAt(t: Task, vpn: number, off: number): { signal: Signal } | { value: number } {
  const run = faultPage(t, vpn, false);
  if (typeof run === 'string') return { signal: run };
  return { value: run.obj.readByte(run.base + (vpn - run.start), off) };
}

/** Write one byte at a user address. */
export function writeByte(t: Task, addr: bigint, value: number): Signal | null {
  if (!exact(addr)) return writeByteAt(t, Number(addr >> SHIFT), Number(addr & MASK), value);
  const a = Number(addr), vpn = Math.floor(a / PAGE_SIZE);
  return writeByteAt(t, vpn, a - vpn * PAGE_SIZE, value);
}

/** Write the byte at offset off of page vpn. */
export function writeByteAt(t: Task, vpn: number, off: number, value: number): Signal | null {
  const run = faultPage(t, vpn, true);
  if (typeof run === 'string') return run;
  run.obj.writeByte(run.base + (vpn - run.start), off, value);
  return null;
}

export { randomPages, randomPageNumbers } from './random-pages.js';

/**
 * grow_stack: grow [stack] until it reaches len below its top, touching every
 * page from just below the stack pointer down to top - len (a deep recursion).
 * The depth counts from the top (SPEC.md §3.5), so the growth does not depend
 * on where the kernel's randomised stack pointer started.
 */
export function growStack(t: Task, lenBytes: bigint): Signal | null {
  const mm = t.mm;
  if (mm.stackPointer < 0 || mm.startStack < 0) return 'SIGSEGV';
  const pages = Number((lenBytes + BigInt(PAGE_SIZE) - 1n) >> BigInt(PAGE_SHIFT));
  const target = Math.max(0, mm.startStack + 1 - pages);
  for (let p = mm.stackPointer - 1; p >= target; p--) {
    const s = touchPage(t, p, true);
    if (s) return s;
  }
  return null;
}
