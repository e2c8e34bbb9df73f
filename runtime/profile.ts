// A kernel profile: which version's behaviour the model follows. The base profile
// is linux-6.18; a patch module (a later issue: e.g. "posix-mlock", "mcl-inherit")
// derives a new profile by overriding fields, without touching the mm code:
//   const p = applyPatch(LINUX_6_18, { name: 'mcl-inherit', behaviour: { mclFutureInheritedByFork: true } });
// Every knob names the kernel code it stands for.

export interface Behaviour {
  /** mm/mremap.c:move_vma (6.18): vrm_stat_account adds locked_vm before dontunmap_complete clears VM_LOCKED. */
  dontunmapLeaksLockedVm: boolean;
  /** mm/memory.c:fault_around_bytes default (64 KiB) in pages. */
  faultAroundPages: number;
  /** mm/internal.h:vma_supports_mlock includes VM_DROPPABLE (fix present on 6.18.44). */
  droppableNeverLocked: boolean;
  /** mm/mlock.c: mlockall(MCL_FUTURE) survives fork (MCL_INHERIT proposal, never merged). */
  mclFutureInheritedByFork: boolean;
  /** fs/proc/task_mmu.c: smaps prints "lf" (since v6.2). */
  smapsShowsLockOnFault: boolean;
}

export interface KernelProfile {
  readonly name: string;
  /** Base kernel version (for `kernel >= 4.4` constraints). */
  readonly version: string;
  /** Patch names applied on top of the base (selector `profile` matches these too). */
  readonly patches: readonly string[];
  readonly behaviour: Readonly<Behaviour>;
}

export const LINUX_6_18: KernelProfile = Object.freeze({
  name: 'linux-6.18',
  version: '6.18',
  patches: [],
  behaviour: Object.freeze({
    dontunmapLeaksLockedVm: true,
    faultAroundPages: 16,
    droppableNeverLocked: true,
    mclFutureInheritedByFork: false,
    smapsShowsLockOnFault: true,
  }),
});

export interface Patch { name: string; behaviour: Partial<Behaviour> }

export function applyPatch(base: KernelProfile, patch: Patch): KernelProfile {
  return Object.freeze({
    name: `${base.name}+${patch.name}`,
    version: base.version,
    patches: [...base.patches, patch.name],
    behaviour: Object.freeze({ ...base.behaviour, ...patch.behaviour }),
  });
}

const PROFILES = new Map<string, KernelProfile>([[LINUX_6_18.name, LINUX_6_18]]);

export function registerProfile(p: KernelProfile): void { PROFILES.set(p.name, p); }
export function findProfile(name: string): KernelProfile | undefined { return PROFILES.get(name); }
export function profileNames(): string[] { return [...PROFILES.keys()]; }
