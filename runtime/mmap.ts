// Linux: mm/mmap.c:do_mmap, mm/util.c:vm_mmap_pgoff, mm/mmap.c:ksys_mmap_pgoff,
// mm/vma.c:__mmap_region / __mmap_complete, arch/x86/kernel/sys_x86_64.c:
// arch_get_unmapped_area_topdown, mm/huge_memory.c:__thp_get_unmapped_area,
// mm/secretmem.c:secretmem_mmap (linux-6.18).
import {
  HPAGE_PAGES, MAP_DROPPABLE, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_HUGETLB, MAP_LOCKED,
  MAP_NONBLOCK, MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_STACK, MAP_SYNC, MAP_TYPE,
  MAP_ANONYMOUS, MMAP_MIN_PAGES, PAGE_SHIFT, PROT_EXEC, PROT_READ, PROT_WRITE, TASK_SIZE_PAGES, U64_MASK,
} from './constants.js';
import { err, ok, type Errno, type SysResult } from './errno.js';
import { mmPopulate } from './gup.js';
import { canDoMlock, mayExpandVm, mlockFutureOk, type Task } from './mm.js';
import { MemObject } from './pages.js';
import type { ShmAttach } from './shm-ids.js';
import { OpenFile } from './file-ra.js';
import { doMunmap, gatherSplits, insertVma } from './vma-ops.js';
import { vmStartGap } from './vma-tree.js';
import {
  Vma, VM_ACCOUNT, VM_DONTDUMP, VM_DONTEXPAND, VM_EXEC, VM_GROWSDOWN, VM_HUGETLB, VM_LOCKED, VM_LOCKED_MASK,
  VM_MAYEXEC, VM_MAYREAD, VM_MAYSHARE, VM_MAYWRITE, VM_NOHUGEPAGE, VM_NORESERVE, VM_READ, VM_SHARED, VM_SOFTDIRTY, VM_SYNC,
  VM_WIPEONFORK, VM_WRITE, vmaSupportsMlock,
} from './vma.js';

export interface MmapRequest {
  addr: bigint;
  len: bigint;
  prot: number;
  flags: number;
  /** Backing object (a file's page cache); null with MAP_ANONYMOUS. */
  file: MemObject | null;
  /** File offset in bytes. */
  offset: bigint;
  /** shmat: the attachment the VMA belongs to (ipc/shm.c:do_shmat). */
  shm?: ShmAttach;
  /** The file is open read-only (SHM_RDONLY): a shared mapping loses VM_MAYWRITE and VM_SHARED. */
  readOnlyFile?: boolean;
}

const PAGE = 1n << BigInt(PAGE_SHIFT);
const pageAlign = (b: bigint): bigint => ((b + PAGE - 1n) & ~(PAGE - 1n)) & U64_MASK;

/** include/linux/mman.h:calc_vm_prot_bits. */
export function calcVmProtBits(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

/** include/linux/mman.h:calc_vm_flag_bits. */
function calcVmFlagBits(flags: number): number {
  return (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) | (flags & MAP_LOCKED ? VM_LOCKED : 0)
    | (flags & MAP_SYNC ? VM_SYNC : 0) | (flags & MAP_STACK ? VM_NOHUGEPAGE : 0);
}

/** arch_get_unmapped_area_topdown: the hint if it fits, else the highest free gap. -1: ENOMEM. Pages. */
export function getUnmappedArea(t: Task, hint: number, len: number, flags: number): number {
  const mm = t.mm;
  if (len > TASK_SIZE_PAGES) return -1;
  if (flags & MAP_FIXED) return hint;
  if (hint && len <= TASK_SIZE_PAGES - hint) {
    const v = mm.vmas.find(hint);
    const prev = mm.vmas.before(hint);
    if ((!v || hint + len <= vmStartGap(v)) && (!prev || prev.end <= hint)) return hint;
  }
  return mm.vmas.gapTopDown(len, MMAP_MIN_PAGES, mm.mmapBase);
}

/**
 * mm/huge_memory.c:__thp_get_unmapped_area: for anonymous mappings that are a
 * multiple of 2 MiB and for regular files (ext4 and others set
 * .get_unmapped_area = thp_get_unmapped_area), place the mapping so that file
 * offset and address agree modulo 2 MiB, when the range spans a whole huge page.
 * Observed on 6.18.44: 64 MiB and 4 MiB file mappings start 2 MiB-aligned, a
 * 5-page one does not.
 */
export function thpGetUnmappedArea(t: Task, hint: number, len: number, offPages: number, flags: number): number {
  const size = HPAGE_PAGES;
  const offEnd = Math.floor((offPages + len) / size) * size, offAlign = Math.ceil(offPages / size) * size;
  if (flags & MAP_FIXED || offEnd <= offAlign || offEnd - offAlign < size) return getUnmappedArea(t, hint, len, flags);
  const ret = getUnmappedArea(t, hint, len + size, flags);
  if (ret < 0) return getUnmappedArea(t, hint, len, flags);
  if (hint && ret === hint) return hint;
  const offSub = (((offPages - ret) % size) + size) % size;
  return offSub === 0 ? ret + size : ret + offSub;
}

/** mm/mmap.c:do_mmap + mm/vma.c:mmap_region. Returns the start page, or an errno. */
export function doMmap(t: Task, req: MmapRequest, extraVmFlags = 0): { addr: number; populate: boolean; vma: Vma } | Errno {
  const mm = t.mm;
  let { flags } = req;
  const { prot } = req;
  let file = req.file;
  if (req.len === 0n) return 'EINVAL';
  if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
  let addrB = req.addr & U64_MASK;
  if (!(flags & MAP_FIXED)) {
    addrB &= ~(PAGE - 1n);
    if (addrB !== 0n && addrB < BigInt(MMAP_MIN_PAGES) << BigInt(PAGE_SHIFT)) addrB = BigInt(MMAP_MIN_PAGES) << BigInt(PAGE_SHIFT);
  }
  const lenB = pageAlign(req.len);
  if (lenB === 0n) return 'ENOMEM';
  let pgoff = Number(req.offset >> BigInt(PAGE_SHIFT));
  const len = Number(lenB >> BigInt(PAGE_SHIFT));
  if (mm.mapCount > mm.system.maxMapCount) return 'ENOMEM';
  let vmFlags = extraVmFlags | calcVmProtBits(prot) | calcVmFlagBits(flags) | mm.defFlags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  const hook = t.system.profile.hooks.mmapVmFlags;
  if (hook) vmFlags = hook(t, vmFlags);

  // __get_unmapped_area
  const hugetlb = file?.kind === 'hugetlb';
  const thp = !file && addrB === 0n && len % HPAGE_PAGES === 0 && t.system.profile.behaviour.anonThpAligned;
  if (len > TASK_SIZE_PAGES - MMAP_MIN_PAGES) return 'ENOMEM';
  let addr: number;
  if (flags & MAP_FIXED) {
    if (addrB & (PAGE - 1n)) return 'EINVAL';
    if (addrB > BigInt(TASK_SIZE_PAGES - len) << BigInt(PAGE_SHIFT)) return 'ENOMEM';
    addr = Number(addrB >> BigInt(PAGE_SHIFT));
  } else {
    const hint = addrB > BigInt(TASK_SIZE_PAGES) << BigInt(PAGE_SHIFT) ? 0 : Number(addrB >> BigInt(PAGE_SHIFT));
    const off = file ? pgoff : 0;
    addr = hugetlb || thp || file?.kind === 'file'
      ? thpGetUnmappedArea(t, hugetlb && hint % HPAGE_PAGES ? 0 : hint, len, off, flags)
      : getUnmappedArea(t, hint, len, flags);
    if (addr < 0) return 'ENOMEM';
  }
  if (flags & MAP_FIXED_NOREPLACE && mm.vmas.intersection(addr, addr + len)) return 'EEXIST';
  if (flags & MAP_LOCKED && !canDoMlock(t)) return 'EPERM';
  if (!mlockFutureOk(t, vmFlags, len)) return 'EAGAIN';

  let droppable = false;
  if (file) {
    switch (flags & MAP_TYPE) {
      case MAP_SHARED:
      case MAP_SHARED_VALIDATE:
        if (req.readOnlyFile && prot & PROT_WRITE) return 'EACCES';
        vmFlags |= VM_SHARED | VM_MAYSHARE;
        if (req.readOnlyFile) vmFlags &= ~(VM_MAYWRITE | VM_SHARED);
        break;
      case MAP_PRIVATE: break;
      default: return 'EINVAL';
    }
    if (vmFlags & VM_GROWSDOWN) return 'EINVAL';
  } else {
    switch (flags & MAP_TYPE) {
      case MAP_SHARED:
        if (vmFlags & VM_GROWSDOWN) return 'EINVAL';
        pgoff = 0;
        vmFlags |= VM_SHARED | VM_MAYSHARE;
        break;
      case MAP_DROPPABLE:
        if (!t.system.profile.behaviour.mapDroppable) return 'EINVAL';
        if (flags & (MAP_LOCKED | MAP_HUGETLB)) return 'EINVAL';
        if (vmFlags & VM_GROWSDOWN) return 'EINVAL';
        droppable = true;
        vmFlags |= VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP;
        pgoff = addr;
        break;
      case MAP_PRIVATE:
        pgoff = addr;
        break;
      default: return 'EINVAL';
    }
  }
  if (flags & MAP_NORESERVE) vmFlags |= VM_NORESERVE;

  // __mmap_prepare: unmap what MAP_FIXED replaces (split headroom checked in doMunmap).
  let replaced = 0;
  for (const v of mm.vmas.overlapping(addr, addr + len)) replaced += Math.min(v.end, addr + len) - Math.max(v.start, addr);
  // Before 6.12 (Behaviour.mmapGathersFirst) may_expand_vm is checked before anything is split.
  const gathersFirst = t.system.profile.behaviour.mmapGathersFirst;
  if (!gathersFirst && !mayExpandVm(t, vmFlags, len - replaced)) return 'ENOMEM';
  if (replaced) {
    const e = gatherSplits(t, addr, addr + len);
    if (e) return e;
  }
  if (gathersFirst && !mayExpandVm(t, vmFlags, len - replaced)) return 'ENOMEM';
  // Shared anonymous memory is a fresh shmem object (mm/shmem.c:shmem_zero_setup).
  if (!file && vmFlags & VM_SHARED) {
    file = new MemObject('shmem', '/dev/zero (deleted)');
    file.sizeBytes = lenB;
  }
  // do_mmap decides to populate from the flags before the f_op->mmap hook runs, so a
  // memfd_secret mapping (VM_LOCKED set by its hook) is not populated (observed on 6.18.44).
  const populate = (vmFlags & VM_LOCKED) !== 0 || (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE;
  // The f_op->mmap hooks: hugetlbfs_file_mmap, secretmem_mmap.
  if (file?.kind === 'hugetlb') {
    vmFlags |= VM_HUGETLB | VM_DONTEXPAND;
    if (!(vmFlags & VM_NORESERVE)) {
      const need = Math.ceil(len / HPAGE_PAGES) - file.hugeReserved;
      if (need > mm.system.hugePagesFree) return 'ENOMEM';
      if (need > 0) { mm.system.hugePagesFree -= need; file.hugeReserved += need; }
    }
  }
  if (file?.kind === 'secretmem') {
    if (!(vmFlags & (VM_SHARED | VM_MAYSHARE))) return 'EINVAL';
    const locks = t.system.profile.behaviour.secretmemLocked;
    if (locks && !mlockFutureOk(t, vmFlags | VM_LOCKED, len)) return 'EAGAIN';
    vmFlags = (vmFlags | (locks ? VM_LOCKED : 0) | VM_DONTDUMP) & ~VM_MAYEXEC;
  }
  if (replaced) {
    const e = doMunmap(t, addr, addr + len);
    if (e) return e;
  }
  // accountable_mapping: private writable, not hugetlb, not noreserve.
  if (file?.kind !== 'hugetlb' && (vmFlags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) vmFlags |= VM_ACCOUNT;

  // __mmap_complete: "New (or expanded) vma always get soft dirty status" (vm_flags_set
  // VM_SOFTDIRTY, also on the VMA a merge extended) with CONFIG_MEM_SOFT_DIRTY.
  const softDirty = t.system.settings.softDirty;
  if (softDirty) vmFlags |= VM_SOFTDIRTY;
  const v = new Vma(addr, addr + len, vmFlags, pgoff, file, file?.name ?? '');
  v.droppable = droppable;
  v.secretmem = file?.kind === 'secretmem';
  v.shm = req.shm ?? null;
  // The executor's open for this mmap (shmem, secretmem, shm: a new file each time too);
  // its f_ra starts zeroed (mm/readahead.c:file_ra_state_init).
  if (file) v.vmFile = new OpenFile();
  // __mmap_complete: count, and clear the lock bits of VMAs that cannot be locked.
  if (v.flags & VM_LOCKED && !vmaSupportsMlock(v)) v.flags &= ~VM_LOCKED_MASK;
  const placed = insertVma(mm, v);
  if (softDirty) placed.flags |= VM_SOFTDIRTY;
  mm.statAccount(v.flags, len);
  if (v.flags & VM_LOCKED) mm.lockedVm += len;
  return { addr, populate, vma: placed };
}

/** mm/util.c:vm_mmap_pgoff via ksys_mmap_pgoff: do_mmap, then mm_populate ignoring errors. */
export function sysMmap(t: Task, req: MmapRequest): SysResult {
  let file = req.file;
  let len = req.len;
  if (!(req.flags & MAP_ANONYMOUS)) {
    if (!file) return err('EBADF');
    if (req.flags & MAP_HUGETLB && file.kind !== 'hugetlb') return err('EINVAL');
  } else if (req.flags & MAP_HUGETLB) {
    const huge = BigInt(HPAGE_PAGES) << BigInt(PAGE_SHIFT);
    len = ((len + huge - 1n) / huge) * huge & U64_MASK;
    file = new MemObject('hugetlb', '/anon_hugepage (deleted)');
    file.sizeBytes = len;
  } else file = null;
  const r = doMmap(t, { ...req, len, file });
  if (typeof r === 'string') return err(r);
  if (r.populate) mmPopulate(t, r.addr, r.addr + Number(pageAlign(len) >> BigInt(PAGE_SHIFT)), true);
  return ok(BigInt(r.addr) << BigInt(PAGE_SHIFT), true);
}

/** memfd_secret(0) + ftruncate(len) + mmap(MAP_SHARED) (mm/secretmem.c). */
export function sysMemfdSecretMap(t: Task, len: bigint, prot: number): SysResult {
  if (!t.system.profile.behaviour.memfdSecret) return err('ENOSYS');
  const obj = new MemObject('secretmem', '/secretmem (deleted)');
  obj.sizeBytes = len;
  return sysMmap(t, { addr: 0n, len, prot, flags: MAP_SHARED, file: obj, offset: 0n });
}
