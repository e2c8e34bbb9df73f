// Seed 000: "[PATCH] - support inheritance of mlocks across fork/exec V2" (Lee
// Schermerhorn, 3 Dec 2008, against 2.6.28-rc7-mmotm). mlockall(MCL_INHERIT
// [|MCL_RECURSIVE]) sets mm->mcl_inherit (seed lines 104-105, never cleared by a
// later mlockall or munlockall without the flag); fork keeps the VMAs' lock bits
// and locked_vm (dup_mmap, seed lines 139-151) and MCL_FUTURE (mm_init, lines
// 168-172); exec keeps MCL_FUTURE, and mcl_inherit only with MCL_RECURSIVE
// (load_elf_binary, lines 196-210). The lock prefix command (lines 352-392):
// mlockall(MCL_FUTURE|MCL_INHERIT) then execvp.
//
// Numbering (SPEC.md Part IV): the seed defines MCL_INHERIT 4 and MCL_RECURSIVE 8
// (lines 82-83, 222-224). On a base without MCL_ONFAULT (linux-4.3) the profile uses
// them as written. On bases with MCL_ONFAULT (= 4 since v4.4) the rebased patch
// moves both above every flag in use, keeping the seed's layout (INHERIT, then
// RECURSIVE one bit up, as its fallback `#define MCL_INHERIT (MCL_FUTURE << 1)`):
// MCL_INHERIT 16, MCL_RECURSIVE 32. Bit 8 is skipped because the registry's other
// mlockall proposal (mcl-nopopulate-locked) takes it; so every raw value the seed's
// numbering produces (4..15) keeps its mainline meaning on the rebased profile and
// a seed-numbered call fails with EINVAL instead of meaning something else.
import { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, TASK_SIZE_PAGES } from '../constants.js';
import { err, OK } from '../errno.js';
import { mmPopulate } from '../gup.js';
import { applyMlockallFlags, mlockallCheck } from '../mlock.js';
import type { Task } from '../mm.js';
import type { KernelProfile, Patch } from '../profile.js';
import { VM_LOCKED, VM_LOCKED_MASK } from '../vma.js';

/** mm->mcl_inherit is kept normalised: these, whatever the uapi numbering. */
export const INHERIT = 1, RECURSIVE = 2;

export function mclInheritBits(base: KernelProfile): { MCL_INHERIT: number; MCL_RECURSIVE: number } {
  return base.behaviour.lockOnFault ? { MCL_INHERIT: 16, MCL_RECURSIVE: 32 } : { MCL_INHERIT: 4, MCL_RECURSIVE: 8 };
}

function sysMlockall(t: Task, flagsIn: bigint): ReturnType<typeof err> {
  const { MCL_INHERIT, MCL_RECURSIVE } = t.system.profile.mlockallBits as { MCL_INHERIT: number; MCL_RECURSIVE: number };
  const inh = BigInt(MCL_INHERIT), rec = BigInt(MCL_RECURSIVE);
  // V2 vetting (seed lines 118-126): CURRENT or FUTURE required, no undefined bit, RECURSIVE only with INHERIT.
  if (!(flagsIn & BigInt(MCL_CURRENT | MCL_FUTURE))) return err('EINVAL');
  const onfault = t.system.profile.behaviour.lockOnFault ? BigInt(MCL_ONFAULT) : 0n;
  if (flagsIn & ~(BigInt(MCL_CURRENT | MCL_FUTURE) | onfault | inh | rec)) return err('EINVAL');
  if ((flagsIn & (inh | rec)) === rec) return err('EINVAL');
  const base = flagsIn & ~(inh | rec);
  const e = mlockallCheck(t, base);
  if (e) return err(e);
  // do_mlockall: mcl_inherit is set only when MCL_INHERIT is given (seed lines 104-105).
  if (flagsIn & inh) t.mm.mclInherit = INHERIT | (flagsIn & rec ? RECURSIVE : 0);
  applyMlockallFlags(t, Number(base));
  if (Number(base) & MCL_CURRENT) mmPopulate(t, 0, TASK_SIZE_PAGES, true);
  return OK;
}

export const MCL_INHERIT_PATCH: Patch = {
  name: 'mcl-inherit',
  summary: 'mlockall(MCL_INHERIT|MCL_RECURSIVE): locks, locked_vm and MCL_FUTURE survive fork; MCL_FUTURE survives exec',
  source: 'seed 000, Lee Schermerhorn "support inheritance of mlocks across fork/exec V2", 2008-12-03 (mm/mlock.c, kernel/fork.c, fs/binfmt_elf.c)',
  mlockallBits: (base) => mclInheritBits(base),
  syscalls: { mlockall: sysMlockall },
  hooks: {
    afterFork(parent, child) {
      const pm = parent.mm, cm = child.mm;
      // dup_mm memcpy()s the parent's mm: mcl_inherit comes along (mm_init only copies it again for RECURSIVE).
      cm.mclInherit = pm.mclInherit;
      if (!pm.mclInherit) return;
      // mm_init: def_flags = current->mm->def_flags & VM_LOCKED (VM_LOCKED_MASK on a base with lock-on-fault).
      cm.defFlags |= pm.defFlags & VM_LOCKED_MASK;
      // dup_mmap: VM_LOCKED kept on every copied VMA, locked_vm not reset (the memcpy'd value).
      cm.vmas.forEach((v) => {
        const pv = pm.vmas.lookup(v.start);
        if (pv) v.flags |= pv.flags & VM_LOCKED_MASK;
      });
      cm.lockedVm = pm.lockedVm;
      cm.lockedVmLeak = pm.lockedVm - cm.lockedPagesInVmas();
    },
    exec(t, old) {
      if (!old.mclInherit) return;
      const mm = t.mm;
      // load_elf_binary: def_flags = old def_flags & VM_LOCKED; mcl_inherit only for RECURSIVE.
      mm.defFlags |= old.defFlags & VM_LOCKED_MASK;
      if (old.mclInherit & RECURSIVE) mm.mclInherit = old.mclInherit;
      if (!(mm.defFlags & VM_LOCKED)) return;
      // The new image is mapped under these def_flags (elf_map, setup_arg_pages, brk):
      // every lockable VMA locked and populated, as if mlockall(MCL_CURRENT|MCL_FUTURE).
      const future = mm.defFlags & VM_LOCKED_MASK;
      applyMlockallFlags(t, MCL_CURRENT | MCL_FUTURE | (future !== VM_LOCKED ? MCL_ONFAULT : 0));
      mmPopulate(t, 0, TASK_SIZE_PAGES, true);
    },
  },
};
