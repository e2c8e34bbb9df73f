// A kernel profile: which kernel the model follows. A profile is a base version
// (linux-4.3 … linux-6.18: the mainline history gates below, each naming the
// commit that changed the behaviour) plus patches (runtime/patches/*.ts: one
// module per proposal, overriding only the entry points its diff touches).
// The registry that builds profiles from names is runtime/kernels.ts.
import type { SysResult } from './errno.js';
import type { Mm, Task } from './mm.js';

/** Behaviours that differ between mainline versions; every knob names its source. */
export interface Behaviour {
  /** mlock2(2) and MLOCK_ONFAULT/MCL_ONFAULT/VM_LOCKONFAULT (v4.4: a8ca5d0ecbdd, de60f5f10c58, b0f205c2a308). Without: mlock2 ENOSYS, MCL_ONFAULT EINVAL. */
  lockOnFault: boolean;
  /** mm/mlock.c:mlock_fixup before b155b4fde5bd (v4.9): VM_LOCKED|VM_LOCKONFAULT → VM_LOCKED counts the pages again. */
  relockCountsTwice: boolean;
  /** mm/mlock.c:do_mlock before 0cf2f6f6dc60 (v4.9): the limit check charges the whole range, already-locked pages included. */
  limitChargesLockedAgain: boolean;
  /** include/uapi/linux/resource.h MLOCK_LIMIT, the initial RLIMIT_MEMLOCK: 64 KiB, 8 MiB since v5.16 (9dcc38e2813e). */
  defaultMemlockBytes: bigint;
  /** fs/proc/task_mmu.c: smaps prints "lf" (since v6.2, 8614d6c5eda0). */
  smapsShowsLockOnFault: boolean;
  /** MAP_DROPPABLE map type (v6.11, 9651fcedf7b9); before, map type 0x08 is EINVAL. */
  mapDroppable: boolean;
  /** MREMAP_DONTUNMAP (v5.7, e346b3813067); before, flag 4 is EINVAL. */
  mremapDontunmap: boolean;
  /** mm/mremap.c:move_vma after the 2025 refactoring (vrm_stat_account also on the DONTUNMAP path): locked_vm += new_len is never given back. */
  dontunmapLeaksLockedVm: boolean;
  /** mm/mremap.c:remap_move (v6.17, d23cb648e365): MREMAP_FIXED without a resize moves every VMA of the range. Before: EFAULT past the first VMA. */
  mremapMovesVmas: boolean;
  /** memfd_secret(2) (v5.14, 1507f51255c9); before: ENOSYS. */
  memfdSecret: boolean;
  /** io_uring buffer registration, the model's `pin` (io_uring: v5.1, 2b188cc1bb85); before: ENOSYS. */
  ioUring: boolean;
  /**
   * MADV_GUARD_INSTALL / MADV_GUARD_REMOVE (v6.13, 662df3e5c376 "mm: madvise: implement lightweight
   * guard page mechanism"). Before: madvise_behavior_valid rejects them, EINVAL (Debian 6.1 and 6.12 guests).
   */
  madvGuard: boolean;
  /**
   * mm/vma.c:is_mergeable_anon_vma after 879bca0a2c4f ("mm/vma: fix incorrectly disallowed anonymous
   * VMA merges", v6.16): a VMA with an anon_vma may merge into a neighbour that has none. Before, the
   * singular-chain test was made on the neighbour (the target), whose chain is empty without an
   * anon_vma, so such merges were refused: after munlock or mprotect the pieces stay apart
   * (map_count, seen on Debian's 6.1 and 6.12 guests).
   */
  mergeIntoAnonless: boolean;
  /**
   * mm/mprotect.c:mprotect_fixup drops VM_ACCOUNT when an unfaulted anonymous VMA loses write
   * (v6.6, "mm/mprotect: allow unfaulted VMAs to be unaccounted on mprotect()"). Before, `ac`
   * stays (seen on Debian's 6.1 guest).
   */
  mprotectUnaccounts: boolean;
  /**
   * mm/secretmem.c: the mapping is VM_LOCKED, charged to locked_vm, refused with EAGAIN past
   * RLIMIT_MEMLOCK. Judged by real kernels: 6.1 (Debian 6.1.0-57) and 6.18.44 do; Debian's 6.12.118
   * gives VM_DONTDUMP only (no `lo`, VmLck 0, no EAGAIN). The commit that dropped it after 6.1 was not
   * identified; 6.18's secretmem_mmap_prepare (the .mmap_prepare conversion, v6.16) sets VM_LOCKED
   * before the VMA exists. So the gate is closed for 6.12 ≤ v < 6.16, the lower bound being only the
   * kernel observed.
   */
  secretmemLocked: boolean;
  /**
   * mm/mremap.c: the source is checked (check_prep_vma) before MREMAP_FIXED unmaps the destination
   * ("mm/mremap: check remap conditions earlier", v6.17). Before, mremap_to unmapped it first, so a
   * refused call (EINVAL, EFAULT, EAGAIN, ENOMEM) still left a hole there (Debian's 6.12 guest).
   */
  mremapChecksFirst: boolean;
  /**
   * SYSCALL_DEFINE5(mremap) looks the source up (vma_lookup, EFAULT) before mremap_to, so a missing
   * source is EFAULT before the MREMAP_FIXED destination is unmapped and before mremap_to's EINVAL
   * checks (v5.16, 550a7d60bd5e "mm, hugepages: add mremap() support for hugepage backed vma", which
   * needs the VMA for the huge page size). Only read while mremapChecksFirst is closed (v6.17 moved
   * every check before any unmap). Judged on Debian's 6.12 guest (fuzz seed 1206 #161, #194).
   */
  mremapLooksUpFirst: boolean;
  /**
   * mm/vma.c:copy_vma under MREMAP_DONTUNMAP: the new VMA merges into its neighbours but not into the
   * source VMA it was copied from (observed on Debian's 6.12.118: an unfaulted anonymous piece moved
   * next to its own VMA stays apart; without DONTUNMAP, and on 6.18.44, it merges). The commit was not
   * identified; the gate sits with the 2025 move_vma rework (6.15) like dontunmapLeaksLockedVm.
   */
  dontunmapMergesSource: boolean;
  /**
   * mm/mremap.c DONTUNMAP completion: 6.18.44 clears VM_LOCKED_MASK on the whole source VMA without a
   * split. Debian's 6.12.118 splits a locked source at the moved range first and only that piece
   * loses the lock, the rest stays locked and locked_vm is unchanged (fuzz seed 1207 #20, #91). Not
   * identified; placed with dontunmapMergesSource at the 2025 move_vma rework (6.15).
   */
  dontunmapUnlocksWholeVma: boolean;
  /**
   * A MREMAP_DONTUNMAP copy placed next to its source VMA still merges with its other neighbour
   * (6.12.118; 6.18.44 merges it into the source too). Debian's 6.1.0-57 merges it with neither (fuzz
   * seeds 1601, 1602: an unfaulted copy between its source and a matching VMA stays apart; away from
   * its source it merges, and without DONTUNMAP it merges). Not identified; placed at 6.12, the
   * vma_merge_new_range rework, as the first version observed with it.
   */
  dontunmapCopyMerges: boolean;
  /**
   * mm/vma.c: a VMA with a vm_ops->close hook (System V shm) may take part in a merge as long as it is
   * not removed by it (vma_merge_existing_range, can_merge_remove_vma). Before, mm/mmap.c:is_mergeable_vma
   * refused any neighbour with a close hook (Debian's 6.1 guest, fuzz seeds 1602, 1603: mlock of the
   * first page of a shm segment next to a locked one stays apart). Open on 6.12.118 (10,000 fuzz
   * scenarios agree) and 6.18.44; the commit was not identified, so the gate sits at 6.12.
   */
  mergeWithCloseHook: boolean;
  /**
   * mm/filemap.c:filemap_map_pages after "mm/memory: do not populate page table entries beyond i_size"
   * (2025, in 6.18.44 and backported to Debian's 6.12.118): when the window's first folio ends at EOF
   * (can_map_large false) filemap_map_pmd is skipped, so a PMD without a PTE table gets nothing. Before
   * (Debian's 6.1.0-57, fuzz seed 1604): a fault past EOF still maps the file's cached pages around it,
   * then SIGBUS. The gate sits at 6.12, the oldest kernel observed with the fix.
   */
  faultAroundStopsAtEof: boolean;
  /**
   * mm/mmap.c:__get_unmapped_area places an anonymous mapping that is a multiple of 2 MiB on a 2 MiB
   * boundary (thp_get_unmapped_area; efa7df3e3bb5 "mm: align larger anonymous mappings on THP
   * boundaries", merged for v6.8 (built as 6.7.0-rc4-00061-gefa7df3e3bb5 in mm), limited to PMD multiples by d4148aeab412, v6.12). Before, a 4 MiB arena starts
   * anywhere, so `arena + 2M` is no THP block (Debian's 6.1 guest: small pages, anon_huge 0).
   */
  anonThpAligned: boolean;
  /**
   * mm/madvise.c:madvise_populate walks the range itself, GUP style: a hole ends it at once with
   * ENOMEM (fa9fcd8bb6e4 "mm/madvise: don't perform madvise VMA walk for
   * MADV_POPULATE_(READ|WRITE)", v6.10: in Linus's 2024-05-19 mm-stable merge). Before, MADV_POPULATE_* went through madvise_walk_vmas like other advice: a
   * hole is skipped and reported as ENOMEM at the end, after the VMAs beyond it were populated, and an
   * error of a later VMA (EINVAL of a PROT_NONE one) wins (Debian's 6.1 guest, fuzz seed 1601).
   */
  populateStopsAtHole: boolean;
  /**
   * mm/vma.c:__mmap_region gathers (splits) what MAP_FIXED replaces before may_expand_vm, and a
   * refusal puts the pieces back unmerged (Liam R. Howlett's "Avoid MAP_FIXED gap exposure" series,
   * v6.12). Before, mm/mmap.c:mmap_region checked may_expand_vm (counting the pages it would replace)
   * first: ENOMEM left the old VMA whole (Debian's 6.1 guest, fuzz seed 1601: RLIMIT_DATA 0).
   */
  mmapGathersFirst: boolean;
  /** mm/memory.c:fault_around_bytes default (64 KiB) in pages. */
  faultAroundPages: number;
  /** mm/internal.h:vma_supports_mlock includes VM_DROPPABLE (fix present on 6.18.44). */
  droppableNeverLocked: boolean;
  /** RLIMIT_MEMLOCK checks count locked_vm + pinned_vm (mm_locked_pages, VM_PINNED proposal). */
  limitCountsPinned: boolean;
  /**
   * arch/x86/mm/pkeys.c:__execute_only_pkey (v4.6, 62b5f7d013fc "mm/core, x86/mm/pkeys: Add execute-only
   * protection keys support"): on a CPU with protection keys a PROT_EXEC-only mapping cannot be read. Before,
   * x86 had no way to deny reads of an executable page, so it is readable whatever the CPU (MachineSettings.pkeys).
   */
  execOnlyPkey: boolean;
}

/**
 * Entry points a patch replaces. Each receives the task and the raw arguments, as
 * the SYSCALL_DEFINE does; the base implementation stays reachable through the
 * exported helpers of the mm file the patch changes.
 */
export interface Syscalls {
  mlock(t: Task, start: bigint, len: bigint): SysResult;
  mlock2(t: Task, start: bigint, len: bigint, flags: bigint): SysResult;
  munlock(t: Task, start: bigint, len: bigint): SysResult;
  mlockall(t: Task, flags: bigint): SysResult;
  munlockall(t: Task): SysResult;
  mremap(t: Task, addr: bigint, oldLen: bigint, newLen: bigint, flags: bigint, newAddr: bigint): SysResult;
  mpin(t: Task, start: bigint, len: bigint): SysResult;
  munpin(t: Task, start: bigint, len: bigint): SysResult;
}

/** Hooks inside shared code paths (fork, exec, mmap, munmap), for patches that change them. */
export interface Hooks {
  /** kernel/fork.c:dup_mmap + mm_init, after the child's VMAs are copied (mainline state). */
  afterFork(parent: Task, child: Task): void;
  /** fs/exec.c: after the new image is loaded into t.mm (mainline: def_flags & VM_INIT_DEF_MASK, nothing else kept). */
  exec(t: Task, old: Mm): void;
  /** mm/mmap.c:do_mmap: adjust vm_flags of a new mapping (after def_flags are ORed in). */
  mmapVmFlags(t: Task, vmFlags: number): number;
  /**
   * mm/mlock.c:mlock_fixup accounting of a flag change on `pages` pages: [locked_vm, pinned_vm]
   * deltas (mainline: ±pages on unlocked↔locked, pinned_vm untouched).
   */
  lockDelta(oldFlags: number, newFlags: number, pages: number): [number, number];
  /** What a VMA with these flags charges, given back when it is unmapped and counted by the invariants: [locked_vm, pinned_vm]. */
  charge(flags: number, pages: number): [number, number];
}

export interface KernelProfile {
  readonly name: string;
  /** Base kernel version "major.minor" (for `kernel >= 4.4` constraints). */
  readonly version: string;
  /** Patch names applied on top of the base (selector `profile` matches these too). */
  readonly patches: readonly string[];
  readonly behaviour: Readonly<Behaviour>;
  /** Replaced entry points (absent: mainline). */
  readonly syscalls: Readonly<Partial<Syscalls>>;
  readonly hooks: Readonly<Partial<Hooks>>;
  /** mlockall flag bits the patches define, beyond MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT. */
  readonly mlockallBits: Readonly<Record<string, number>>;
  /** mremap flag bits the patches define, beyond MAYMOVE|FIXED|DONTUNMAP. */
  readonly mremapBits: Readonly<Record<string, number>>;
}

/** linux-6.18 as observed on 6.18.44: every history gate open. */
export const MAINLINE_6_18: Readonly<Behaviour> = Object.freeze({
  lockOnFault: true,
  relockCountsTwice: false,
  limitChargesLockedAgain: false,
  defaultMemlockBytes: 8n << 20n,
  smapsShowsLockOnFault: true,
  mapDroppable: true,
  mremapDontunmap: true,
  dontunmapLeaksLockedVm: true,
  mremapMovesVmas: true,
  memfdSecret: true,
  ioUring: true,
  madvGuard: true,
  mremapChecksFirst: true,
  mremapLooksUpFirst: true,
  dontunmapMergesSource: true,
  dontunmapUnlocksWholeVma: true,
  dontunmapCopyMerges: true,
  mergeWithCloseHook: true,
  faultAroundStopsAtEof: true,
  anonThpAligned: true,
  populateStopsAtHole: true,
  mmapGathersFirst: true,
  secretmemLocked: true,
  mprotectUnaccounts: true,
  mergeIntoAnonless: true,
  faultAroundPages: 16,
  droppableNeverLocked: true,
  limitCountsPinned: false,
  execOnlyPkey: true,
});

export const LINUX_6_18: KernelProfile = Object.freeze({
  name: 'linux-6.18',
  version: '6.18',
  patches: [],
  behaviour: MAINLINE_6_18,
  syscalls: Object.freeze({}),
  hooks: Object.freeze({}),
  mlockallBits: Object.freeze({}),
  mremapBits: Object.freeze({}),
});

/** A patch module: what the seed's diff changes, and nothing else. */
export interface Patch {
  name: string;
  /** One line for `mls list --kernels`. */
  summary: string;
  /** The seed or thread it models (file and lines). */
  source: string;
  behaviour?: Partial<Behaviour>;
  syscalls?: Partial<Syscalls>;
  hooks?: Partial<Hooks>;
  /** New mlockall/mremap flag bits, by name; a function of the base when the numbering depends on it. */
  mlockallBits?: (base: KernelProfile) => Record<string, number>;
  mremapBits?: (base: KernelProfile) => Record<string, number>;
}

export class PatchConflict extends Error {}

function bitsOverlap(a: Record<string, number>, b: Record<string, number>): string | undefined {
  for (const [n, v] of Object.entries(b)) {
    for (const [m, w] of Object.entries(a)) if (v & w) return `${m} and ${n} (0x${v.toString(16)})`;
  }
  return undefined;
}

/** base + patch; refuses two patches replacing the same entry point or defining the same flag bit. */
export function applyPatch(base: KernelProfile, patch: Patch): KernelProfile {
  const clash = (kind: string, a: object, b: object | undefined): void => {
    for (const k of Object.keys(b ?? {})) {
      if (k in a) throw new PatchConflict(`${patch.name} and ${base.patches.join('+')} both replace ${kind} ${k}: they do not compose`);
    }
  };
  clash('the entry point', base.syscalls, patch.syscalls);
  clash('the hook', base.hooks, patch.hooks);
  const mlockallBits = patch.mlockallBits?.(base) ?? {};
  const mremapBits = patch.mremapBits?.(base) ?? {};
  const overlap = bitsOverlap(base.mlockallBits, mlockallBits) ?? bitsOverlap(base.mremapBits, mremapBits);
  if (overlap) throw new PatchConflict(`${patch.name} defines a flag bit already taken: ${overlap}`);
  return Object.freeze({
    name: `${base.name}+${patch.name}`,
    version: base.version,
    patches: [...base.patches, patch.name],
    behaviour: Object.freeze({ ...base.behaviour, ...patch.behaviour }),
    syscalls: Object.freeze({ ...base.syscalls, ...patch.syscalls }),
    hooks: Object.freeze({ ...base.hooks, ...patch.hooks }),
    mlockallBits: Object.freeze({ ...base.mlockallBits, ...mlockallBits }),
    mremapBits: Object.freeze({ ...base.mremapBits, ...mremapBits }),
  });
}
