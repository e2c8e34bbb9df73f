// The System V shared memory namespace of the model (ipc/shm.c: struct
// shmid_kernel, ns->ids[IPC_SHM_IDS]) and the per-user SHM_LOCK charge
// (ucounts UCOUNT_RLIMIT_MEMLOCK, mm/mlock.c:user_shm_lock) (linux-6.18).
// Kept apart from the syscalls (shm.ts) so System and Vma can name these
// types without importing the mm code.
import { MemObject } from './pages.js';
import { UserCharges } from './ucounts.js';

export class ShmSegment {
  /** The shmem file behind the segment (shp->shm_file); smaps names it /SYSV<key> (deleted). */
  readonly obj: MemObject;
  /** SHM_LOCKED in shm_perm.mode: `chargedPages` are charged to user `chargedUid` (shp->mlock_ucounts). */
  locked = false;
  chargedPages = 0;
  chargedUid = 0;
  /** SHM_DEST: IPC_RMID came while attached; destroyed at the last detach (shm_may_destroy). */
  dest = false;
  /** shm_perm.cuid = shm_perm.uid: the creator's euid (mode 0600: only the owner may attach). */
  constructor(readonly id: number, readonly segsz: bigint, readonly uid: number) {
    // newseg: key IPC_PRIVATE (0) names the file "SYSV00000000".
    this.obj = new MemObject('shmem', '/SYSV00000000 (deleted)');
    this.obj.sizeBytes = segsz;
  }
}

/** One shmat: the struct file alloc_file_clone makes (vm_file of every VMA it maps, split or forked). */
export class ShmAttach {
  constructor(readonly seg: ShmSegment) {}
}

export class ShmIds {
  readonly segments = new Map<number, ShmSegment>();
  private nextId = 0;
  /** Each user's UCOUNT_RLIMIT_MEMLOCK count, in pages: SHM_LOCK charges (io_uring uses user_struct->locked_vm instead). */
  readonly userLockedPages = new UserCharges();

  create(segsz: bigint, uid: number): ShmSegment {
    const s = new ShmSegment(this.nextId++, segsz, uid);
    this.segments.set(s.id, s);
    return s;
  }
}
