// Linux: fs/exec.c:begin_new_exec -> exec_mmap with a fresh mm (mm_alloc ->
// mm_init): locked_vm 0, def_flags & VM_INIT_DEF_MASK (linux-6.18). The new image
// is the same program (the executor re-executes itself), so the model loads the
// same start image again.
import type { StartImage } from '../schema/generated/types.js';
import { execCreds } from './creds.js';
import { loadEmpty, loadImage } from './image.js';
import { Mm, type Task } from './mm.js';
import { VM_INIT_DEF_MASK } from './vma.js';

export function exec(t: Task, image: StartImage | null): void {
  const old = t.mm;
  const mm = new Mm(t.system);
  mm.defFlags = old.defFlags & VM_INIT_DEF_MASK;
  old.pt.release();
  t.mm = mm;
  // execve recomputes the capability sets: as root from the bounding set, so a dropped
  // CAP_IPC_LOCK is effective again in the new image, and a capability outside the
  // bounding set stays lost (observed on 6.18.44: setrlimit raising a hard limit after
  // exec is EPERM without CAP_SYS_RESOURCE in CapBnd); as another user, none (creds.ts).
  t.creds = execCreds(t.creds);
  if (image) loadImage(t, image);
  else loadEmpty(t);
  t.system.profile.hooks.exec?.(t, old);
}
