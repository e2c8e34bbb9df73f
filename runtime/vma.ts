// Linux: include/linux/mm.h (VM_* flags), include/linux/mm_types.h (struct vm_area_struct),
// mm/vma.c:is_mergeable_vma / can_vma_merge_before / can_vma_merge_after (linux-6.18).
//
// A VMA covers the page range [start, end) of one address space. Everything is in
// page numbers (address >> PAGE_SHIFT), which are exact JS numbers up to 2^52.
import type { OpenFile } from './file-ra.js';
import type { MemObject } from './pages.js';
import type { ShmAttach } from './shm-ids.js';

// Bit values as in include/linux/mm.h (linux-6.18, x86_64, CONFIG_MMU).
export const VM_NONE = 0;
export const VM_READ = 0x1, VM_WRITE = 0x2, VM_EXEC = 0x4, VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10, VM_MAYWRITE = 0x20, VM_MAYEXEC = 0x40, VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100, VM_UFFD_MISSING = 0x200, VM_PFNMAP = 0x400;
/** Guard regions were installed in this VMA ("gu"); observed on 6.18.44 printed before "lo", i.e. bit 11. */
export const VM_MAYBE_GUARD = 0x800;
export const VM_UFFD_WP = 0x1000, VM_LOCKED = 0x2000, VM_IO = 0x4000;
export const VM_SEQ_READ = 0x8000, VM_RAND_READ = 0x10000, VM_DONTCOPY = 0x20000, VM_DONTEXPAND = 0x40000;
export const VM_LOCKONFAULT = 0x80000, VM_ACCOUNT = 0x100000, VM_NORESERVE = 0x200000, VM_HUGETLB = 0x400000;
export const VM_SYNC = 0x800000, VM_ARCH_1 = 0x1000000, VM_WIPEONFORK = 0x2000000, VM_DONTDUMP = 0x4000000;
/**
 * CONFIG_MEM_SOFT_DIRTY (bit 27, "sd"): set on every new or expanded VMA when the
 * machine's kernel has it (MachineSettings.softDirty; runtime/settings.ts).
 */
export const VM_SOFTDIRTY = 0x8000000;
export const VM_MIXEDMAP = 0x10000000, VM_HUGEPAGE = 0x20000000, VM_NOHUGEPAGE = 0x40000000;
// VM_DROPPABLE is VM_HIGH_ARCH_BIT_8 (bit 40). JS bit operators are 32-bit, so the
// model keeps it in Vma.droppable; VmFlags prints it as "dp" after every low bit.

export const VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
export const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
/** include/linux/mm.h: VM_INIT_DEF_MASK, the only def_flags bits a new mm keeps. */
export const VM_INIT_DEF_MASK = VM_NOHUGEPAGE;
/**
 * Bits that never prevent a merge (include/linux/mm.h:VM_IGNORE_MERGE, tested in
 * mm/vma.c:is_mergeable_vma: soft-dirty; guard is sticky).
 */
export const VM_IGNORE_MERGE = VM_SOFTDIRTY | VM_MAYBE_GUARD;
/** Bits a merged VMA keeps if either side had them (VM_STICKY). */
export const VM_STICKY = VM_MAYBE_GUARD;

// fs/proc/task_mmu.c:show_smap_vma_flags mnemonics, indexed by bit number.
const MNEMONICS: Array<[number, string]> = [
  [VM_READ, 'rd'], [VM_WRITE, 'wr'], [VM_EXEC, 'ex'], [VM_SHARED, 'sh'], [VM_MAYREAD, 'mr'],
  [VM_MAYWRITE, 'mw'], [VM_MAYEXEC, 'me'], [VM_MAYSHARE, 'ms'], [VM_GROWSDOWN, 'gd'],
  [VM_UFFD_MISSING, 'um'], [VM_PFNMAP, 'pf'], [VM_MAYBE_GUARD, 'gu'], [VM_UFFD_WP, 'uw'],
  [VM_LOCKED, 'lo'], [VM_IO, 'io'], [VM_SEQ_READ, 'sr'], [VM_RAND_READ, 'rr'], [VM_DONTCOPY, 'dc'],
  [VM_DONTEXPAND, 'de'], [VM_LOCKONFAULT, 'lf'], [VM_ACCOUNT, 'ac'], [VM_NORESERVE, 'nr'],
  [VM_HUGETLB, 'ht'], [VM_SYNC, 'sf'], [VM_ARCH_1, 'ar'], [VM_WIPEONFORK, 'wf'], [VM_DONTDUMP, 'dd'],
  [VM_SOFTDIRTY, 'sd'], [VM_MIXEDMAP, 'mm'], [VM_HUGEPAGE, 'hg'], [VM_NOHUGEPAGE, 'nh'],
];

/** rwx columns of /proc/pid/maps by the VM_READ | VM_WRITE | VM_EXEC bits. */
const PROT_LETTERS = ['---', 'r--', '-w-', 'rw-', '--x', 'r-x', '-wx', 'rwx'];

/** Identity of an anon_vma: only compared (is_mergeable_anon_vma) and inherited. */
export class AnonVma {
  private static next = 1;
  readonly id = AnonVma.next++;
  /**
   * The VMAs using it also link their parent's anon_vma (anon_vma_fork): their
   * anon_vma_chain is not singular, so a VMA without an anon_vma cannot merge with
   * them and neighbours cannot reuse it (is_mergeable_anon_vma, reusable_anon_vma).
   */
  constructor(readonly chained = false) {}
}

export type SpecialKind = 'vdso' | 'vvar' | 'vvar_vclock' | null;

export class Vma {
  constructor(
    /** First page. Invariant: start < end; mutated only by vma-ops (split/merge/expand). */
    public start: number,
    public end: number,
    public flags: number,
    /** vm_pgoff: page index in `file` for file/shmem VMAs; the linear anon index otherwise. */
    public pgoff: number,
    /** vm_file: page cache object (regular file, shmem, secretmem, hugetlbfs); null for anonymous private. */
    public file: MemObject | null,
    public name = '',
    public special: SpecialKind = null,
  ) {}
  anonVma: AnonVma | null = null;
  /** VM_DROPPABLE (bit 40). */
  droppable = false;
  /** memfd_secret mapping (vma_is_secretmem). */
  secretmem = false;
  /** A System V shm attachment (vm_ops == &shm_vm_ops); its vm_file is per shmat. */
  shm: ShmAttach | null = null;
  /** procfs.ts's smaps counts of this VMA as last rendered (opaque here; a clone starts without). */
  rendered: unknown = null;
  /** vm_file, the struct file of a file-backed mapping (runtime/file-ra.ts): clones share it. null: anonymous. */
  vmFile: OpenFile | null = null;

  get pages(): number { return this.end - this.start; }
  has(f: number): boolean { return (this.flags & f) !== 0; }
  /** Index in the backing object of page `vpn` (linear_page_index). */
  index(vpn: number): number { return vpn - this.start + this.pgoff; }
  isAnonymous(): boolean { return this.file === null && this.special === null; }
  isAccessible(): boolean { return (this.flags & VM_ACCESS_FLAGS) !== 0; }
  /**
   * Data access (read) allowed, by the CPU (arch/x86/mm/fault.c:access_error) and by
   * GUP (mm/gup.c:check_vma_flags -> arch_vma_access_permitted). x86 page tables
   * cannot express execute-only: any accessible VMA is readable. With protection keys
   * (MachineSettings.pkeys: CPU pku + ospke, the stock test machine), a PROT_EXEC-only
   * mapping gets the execute-only pkey (arch/x86/mm/pkeys.c:__execute_only_pkey), so
   * reads fault and GUP fails: mlock of such a VMA gives ENOMEM (observed on a stock
   * 6.18.44, scenarios/kernel/25-populate-by-prot.mls). Without pkeys (observed on a
   * 6.18.44 without pku): mlock returns 0 and populates, a user read succeeds.
   */
  isReadable(pkeys: boolean): boolean { return (this.flags & (pkeys ? VM_READ | VM_WRITE : VM_ACCESS_FLAGS)) !== 0; }
  prot(): string { return PROT_LETTERS[this.flags & VM_ACCESS_FLAGS]!; }
  shared(): boolean { return this.has(VM_MAYSHARE); }
  clone(): Vma {
    const v = new Vma(this.start, this.end, this.flags, this.pgoff, this.file, this.name, this.special);
    v.anonVma = this.anonVma; v.droppable = this.droppable; v.secretmem = this.secretmem; v.shm = this.shm; v.vmFile = this.vmFile;
    return v;
  }
}

/** VmFlags letters in bit order (fs/proc/task_mmu.c:show_smap_vma_flags). */
export function vmFlagLetters(v: Vma): string[] {
  const out: string[] = [];
  for (const [bit, name] of MNEMONICS) if (v.flags & bit) out.push(name);
  if (v.droppable) out.push('dp');
  return out;
}

/**
 * mm/internal.h:vma_supports_mlock (the 6.18 open-coded tests in mlock_fixup and
 * __mmap_complete, with the droppable fix present on 6.18.44): VM_SPECIAL,
 * hugetlb, DAX, the gate VMA and droppable VMAs can never be VM_LOCKED.
 */
export function vmaSupportsMlock(v: Vma): boolean {
  if (v.flags & VM_SPECIAL) return false;
  if (v.has(VM_HUGETLB)) return false;
  if (v.droppable) return false;
  return true;
}

/** mm/vma.c:is_mergeable_vma plus the pgoff/anon_vma tests of can_vma_merge_{before,after}. */
/**
 * mm/vma.c:can_merge_remove_vma: a merge may delete a VMA only if its vm_ops has no
 * close hook. Modelled: System V shm (shm_vm_ops.close = shm_close).
 */
export function canMergeRemove(v: Vma): boolean {
  return !v.shm;
}

export function canMerge(prev: Vma, next: Vma, prevFlags = prev.flags, nextFlags = next.flags): boolean {
  if (prev.end !== next.start) return false;
  if ((prevFlags | nextFlags) & VM_SPECIAL) return false;
  if ((prevFlags ^ nextFlags) & ~VM_IGNORE_MERGE) return false;
  // Droppable mappings never merged with a neighbour on 6.18.44 (observed), nor do secretmem ones.
  if (prev.droppable || next.droppable || prev.secretmem !== next.secretmem) return false;
  // Each shmat has its own vm_file: only pieces of one attachment can merge. That a merge
  // may not delete a VMA with vm_ops->close (shm_close) is vma-ops.ts:mergeExisting's rule.
  if ((prev.shm || next.shm) && prev.shm !== next.shm) return false;
  if (prev.file !== next.file || prev.vmFile !== next.vmFile || prev.special !== next.special) return false;
  if (prev.pgoff + prev.pages !== next.pgoff) return false;
  // is_mergeable_anon_vma: compatible when both share it, or one side has none and
  // the other's anon_vma_chain is singular (not a fork child's chain).
  if (prev.anonVma && next.anonVma) { if (prev.anonVma !== next.anonVma) return false; }
  else if (prev.anonVma?.chained || next.anonVma?.chained) return false;
  return true;
}

/** Inverse of vmFlagLetters (for images read from a host's smaps). Unknown letters are ignored. */
export function flagsFromLetters(letters: readonly string[]): { flags: number; droppable: boolean } {
  let flags = 0;
  for (const l of letters) {
    const m = MNEMONICS.find(([, name]) => name === l);
    if (m) flags |= m[0];
  }
  return { flags, droppable: letters.includes('dp') };
}
