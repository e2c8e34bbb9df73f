// Linux: mm/gup.c (linux-6.18) — populate_vma_page_range and __mm_populate.
import type { Errno } from './errno.js';
import { faultRange } from './fault.js';
import type { Task } from './mm.js';
import { execOnlyUnreadable } from './settings.js';
import { VM_IO, VM_LOCKONFAULT, VM_PFNMAP, VM_SHARED, VM_WRITE, type Vma } from './vma.js';

/**
 * mm/gup.c:populate_vma_page_range: fault [start, end) of one VMA.
 * - VM_LOCKONFAULT: return at once, nothing faulted ("has never populated anything");
 * - private writable: write faults (break COW); otherwise read faults with FOLL_FORCE,
 *   which is only set for accessible VMAs, so PROT_NONE gives -EFAULT; with
 *   protection keys (MachineSettings.pkeys) an execute-only VMA fails
 *   arch_vma_access_permitted: -EFAULT too; without them FOLL_FORCE reads it;
 * - partial progress returns the pages done; an error on the first page returns it
 *   (SIGBUS past EOF and guard markers are -EFAULT, as __get_user_pages reports them).
 */
export function populateVmaPageRange(t: Task, v: Vma, start: number, end: number): number | Errno {
  if (v.flags & VM_LOCKONFAULT) return end - start;
  const write = (v.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  if (!v.isAccessible()) return 'EFAULT';
  if (!write && !v.isReadable(execOnlyUnreadable(t.system.settings, t.system.profile.behaviour))) return 'EFAULT';
  const r = faultRange(t, v, start, end, write);
  if (r.error === undefined) return r.done;
  if (r.done > 0) return r.done;
  return r.error === 'ENOMEM' ? 'ENOMEM' : 'EFAULT';
}

/**
 * mm/gup.c:__mm_populate over pages [start, end): VM_IO/VM_PFNMAP VMAs are skipped;
 * without ignoreErrors the first error stops the loop (mlock), with it the loop
 * goes on at the next VMA (mm_populate: mmap, mlockall, brk, mremap).
 */
export function mmPopulate(t: Task, start: number, end: number, ignoreErrors: boolean): 0 | Errno {
  const mm = t.mm;
  let nstart = start;
  while (nstart < end) {
    const v = mm.vmas.intersection(nstart, end);
    if (!v) break;
    let nend = Math.min(end, v.end);
    if (v.flags & (VM_IO | VM_PFNMAP)) { nstart = nend; continue; }
    if (nstart < v.start) nstart = v.start;
    const r = populateVmaPageRange(t, v, nstart, nend);
    if (typeof r === 'string') {
      if (ignoreErrors) { nstart = nend; continue; }
      return r;
    }
    nend = nstart + r;
    nstart = nend;
  }
  return 0;
}
