// Linux: mm/mprotect.c (linux-6.18) — do_mprotect_pkey and mprotect_fixup.
import { PAGE_SIZE_N, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_READ, PROT_SEM, PROT_WRITE, U64_MASK } from './constants.js';
import { err, OK, type Errno, type SysResult } from './errno.js';
import { populateVmaPageRange } from './gup.js';
import { mayExpandVm, type Task } from './mm.js';
import { calcVmProtBits } from './mmap.js';
import { vmaModifyFlags } from './vma-ops.js';
import {
  VM_ACCESS_FLAGS, VM_ACCOUNT, VM_GROWSDOWN, VM_HUGETLB, VM_LOCKED, VM_NORESERVE, VM_SHARED, VM_WRITE, type Vma,
} from './vma.js';

/** mm/mprotect.c:mprotect_fixup. */
function mprotectFixup(t: Task, vma: Vma, start: number, end: number, newIn: number): { vma: Vma; error?: Errno } {
  const old = vma.flags;
  let newFlags = newIn;
  if (newFlags === old) return { vma };
  const n = end - start;
  if (newFlags & VM_WRITE) {
    if (!mayExpandVm(t, newFlags, n) && mayExpandVm(t, old, n)) return { vma, error: 'ENOMEM' };
    if (!(old & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE))) newFlags |= VM_ACCOUNT;
  } else if (old & VM_ACCOUNT && vma.isAnonymous() && !vma.anonVma && t.system.profile.behaviour.mprotectUnaccounts) {
    newFlags &= ~VM_ACCOUNT;
  }
  const r = vmaModifyFlags(t.mm, vma, start, end, newFlags);
  if (typeof r === 'string') return { vma, error: r };
  t.mm.statAccount(old, -n);
  t.mm.statAccount(newFlags, n);
  // Private VM_LOCKED VMA becoming writable: trigger COW now (no-op for ONFAULT).
  if ((old & (VM_WRITE | VM_SHARED | VM_LOCKED)) === VM_LOCKED && newFlags & VM_WRITE) populateVmaPageRange(t, r, start, end);
  return { vma: r };
}

/** mm/mprotect.c:do_mprotect_pkey (pkey -1). */
export function sysMprotect(t: Task, startIn: bigint, lenIn: bigint, protIn: bigint): SysResult {
  const grows = protIn & BigInt(PROT_GROWSDOWN | PROT_GROWSUP);
  let prot = protIn & ~BigInt(PROT_GROWSDOWN | PROT_GROWSUP);
  if (grows === BigInt(PROT_GROWSDOWN | PROT_GROWSUP)) return err('EINVAL');
  if (startIn % PAGE_SIZE_N) return err('EINVAL');
  if (lenIn === 0n) return OK;
  const len = ((lenIn + PAGE_SIZE_N - 1n) / PAGE_SIZE_N) * PAGE_SIZE_N;
  const endB = startIn + len;
  if (endB > U64_MASK || (endB & U64_MASK) <= startIn) return err('ENOMEM');
  if (prot & ~BigInt(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) return err('EINVAL');
  prot &= BigInt(PROT_READ | PROT_WRITE | PROT_EXEC);
  let start = Number(startIn >> 12n);
  const end = Number(endB >> 12n);
  const mm = t.mm;
  const first = mm.vmas.find(start);
  if (!first || first.start >= end) return err('ENOMEM');
  if (grows & BigInt(PROT_GROWSDOWN)) {
    start = first.start;
    if (!(first.flags & VM_GROWSDOWN)) return err('EINVAL');
  } else if (first.start > start) return err('ENOMEM');
  let nstart = start, tmp = first.start;
  let error: Errno | undefined;
  for (let v: Vma | undefined = first; v && v.start < end; ) {
    if (v.start !== tmp) { error = 'ENOMEM'; break; }
    const newFlags = calcVmProtBits(Number(prot)) | (v.flags & ~VM_ACCESS_FLAGS);
    // newflags >> 4 puts VM_MAY* in place of VM_*: asking for more than allowed is EACCES.
    if ((newFlags & ~(newFlags >> 4)) & VM_ACCESS_FLAGS) { error = 'EACCES'; break; }
    tmp = Math.min(v.end, end);
    const r = mprotectFixup(t, v, nstart, tmp, newFlags);
    if (r.error) { error = r.error; break; }
    tmp = r.vma.end;
    nstart = tmp;
    v = mm.vmas.next(r.vma);
  }
  if (!error && tmp < end) error = 'ENOMEM';
  return error ? err(error) : OK;
}
