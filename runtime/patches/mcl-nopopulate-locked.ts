// Seed 004, Konstantin Khlebnikov's second alternative (seed lines 111-113,
// 120-122): "a mm-wide flag which turns all further mlocks and MAP_LOCKED into
// lock-on-fault. Something like mlockall(MCL_NOPOPULATE_LOCKED)". Switched on by
// mlockall with MCL_NOPOPULATE_LOCKED = 8 (the lowest MCL bit free next to
// MCL_ONFAULT 4; the thread gives no value), alone or with MCL_CURRENT/MCL_FUTURE
// (which then lock on fault); switched off by munlockall. While on, mlock(),
// mlock2(0), mlockall and MAP_LOCKED (incl. MCL_FUTURE's def_flags) set
// VM_LOCKED|VM_LOCKONFAULT and populate nothing; touching the pages still locks
// them ("userspace still can get old behaviour simply by touching"). The mode is
// mm state: a fork child and a new image start without it.
import { MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MLOCK_ONFAULT, TASK_SIZE_PAGES } from '../constants.js';
import { err, OK, type SysResult } from '../errno.js';
import { mmPopulate } from '../gup.js';
import { applyMlockallFlags, doMlock, mlockallCheck } from '../mlock.js';
import type { Task } from '../mm.js';
import type { Patch } from '../profile.js';
import { VM_LOCKED, VM_LOCKONFAULT } from '../vma.js';

export const MCL_NOPOPULATE_LOCKED = 8;

const lockFlags = (t: Task, onfault: boolean): number => VM_LOCKED | (onfault || t.mm.nopopulateLocked ? VM_LOCKONFAULT : 0);

function sysMlockall(t: Task, flagsIn: bigint): SysResult {
  const npl = BigInt(MCL_NOPOPULATE_LOCKED);
  if (flagsIn === npl) {
    // The mode switch alone: no lock changes, but the caller must be allowed to lock.
    const e = mlockallCheck(t, BigInt(MCL_FUTURE));
    if (e) return err(e);
    t.mm.nopopulateLocked = true;
    return OK;
  }
  const e = mlockallCheck(t, flagsIn, npl);
  if (e) return err(e);
  if (flagsIn & npl) t.mm.nopopulateLocked = true;
  let flags = Number(flagsIn & ~npl);
  if (t.mm.nopopulateLocked) flags |= MCL_ONFAULT;
  applyMlockallFlags(t, flags);
  if (flags & MCL_CURRENT) mmPopulate(t, 0, TASK_SIZE_PAGES, true);
  return OK;
}

export const MCL_NOPOPULATE_LOCKED_PATCH: Patch = {
  name: 'mcl-nopopulate-locked',
  summary: 'mlockall(MCL_NOPOPULATE_LOCKED = 8): an mm-wide mode turning later mlocks and MAP_LOCKED into lock-on-fault',
  source: 'seed 004, Konstantin Khlebnikov in "Re: [PATCH v7 3/6] mm: Introduce VM_LOCKONFAULT", 2015-08-24 (lines 111-122)',
  mlockallBits: () => ({ MCL_NOPOPULATE_LOCKED }),
  syscalls: {
    mlock: (t, start, len) => doMlock(t, start, len, lockFlags(t, false)),
    mlock2: (t, start, len, flags) => {
      if (flags & ~BigInt(MLOCK_ONFAULT)) return err('EINVAL');
      return doMlock(t, start, len, lockFlags(t, (flags & BigInt(MLOCK_ONFAULT)) !== 0n));
    },
    mlockall: sysMlockall,
    munlockall: (t) => {
      t.mm.nopopulateLocked = false;
      applyMlockallFlags(t, 0);
      return OK;
    },
  },
  hooks: {
    mmapVmFlags: (t, vmFlags) => (t.mm.nopopulateLocked && vmFlags & VM_LOCKED ? vmFlags | VM_LOCKONFAULT : vmFlags),
  },
};
