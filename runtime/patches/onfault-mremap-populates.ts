// Seed 004, the first alternative to a sticky VM_LOCKONFAULT (Vlastimil Babka,
// 24 Aug 2015, seed lines 64-67): "populate always for mremap() of VM_LOCKED
// areas, and document this loss of MLOCK_ONFAULT information". The lock-on-fault
// mark does not survive mremap: a locked area that mremap grows or moves loses
// VM_LOCKONFAULT and is populated in full (mainline keeps the flag and populates
// only the grown part of a VM_LOCKED area, nothing for VM_LOCKONFAULT).
// A shrink in place moves nothing and keeps the flag.
import { mmPopulate } from '../gup.js';
import type { Task } from '../mm.js';
import { doMremap, type MremapExt } from '../mremap.js';
import type { Patch } from '../profile.js';
import { vmaModifyFlags } from '../vma-ops.js';
import { VM_LOCKED, VM_LOCKONFAULT } from '../vma.js';

type Done = Parameters<NonNullable<MremapExt['populate']>>[1];

/** The populate step of the no-sticky-flag designs: drop VM_LOCKONFAULT on the result, populate all of it. */
export function populateRemappedLocked(t: Task, d: Done): void {
  if (!(d.srcFlags & VM_LOCKED) || (d.newAddr === d.addr && d.newLen <= d.oldLen)) return;
  const mm = t.mm, s = d.newAddr, e = d.newAddr + d.newLen;
  for (let v = mm.vmas.intersection(s, e); v && v.start < e; ) {
    const r = v.flags & VM_LOCKONFAULT ? vmaModifyFlags(mm, v, Math.max(s, v.start), Math.min(e, v.end), v.flags & ~VM_LOCKONFAULT) : v;
    const cur = typeof r === 'string' ? v : r;
    v = mm.vmas.next(cur);
  }
  mmPopulate(t, s, e, true);
}

export const ONFAULT_MREMAP_POPULATES_PATCH: Patch = {
  name: 'onfault-mremap-populates',
  summary: 'no sticky VM_LOCKONFAULT: mremap of a locked area populates all of it and loses lock-on-fault',
  source: 'seed 004, Vlastimil Babka in "Re: [PATCH v7 3/6] mm: Introduce VM_LOCKONFAULT", 2015-08-24 (lines 64-67)',
  syscalls: {
    mremap: (t, addr, oldLen, newLen, flags, newAddr) => doMremap(t, addr, oldLen, newLen, flags, newAddr, { populate: populateRemappedLocked }),
  },
};
