// System V shared memory: shmget(IPC_PRIVATE), shmat, shmdt, shmctl(SHM_LOCK,
// SHM_UNLOCK, IPC_RMID). Linux: ipc/shm.c:newseg, do_shmat, ksys_shmdt,
// shmctl_do_lock, do_shm_rmid, shm_close/shm_may_destroy/shm_destroy;
// mm/shmem.c:shmem_lock; mm/mlock.c:user_shm_lock/user_shm_unlock (linux-6.18).
//
// SHM_LOCK locks the shmem object, not a VMA: no VM_LOCKED, no locked_vm, smaps
// Locked 0 (observed on 6.18.44). Its charge goes to the caller's user's ucounts
// (System.shm.userLockedPages, per uid), checked against the caller's RLIMIT_MEMLOCK,
// and returns to that user on unlock or destroy. Segments are created 0600 by the
// caller's euid: ipcperms and the owner checks below follow from it.
//
// nattch is the number of VMAs mapping an attachment (shm_open on fork, split
// and mremap copies; shm_close on every unmap, exit and exec), so the model
// counts those VMAs. A segment marked SHM_DEST is destroyed when that count
// reaches 0; only shm calls can observe it (the id stops resolving, the lock
// charge is returned), so each shm call first destroys those segments.
import { MAP_FIXED, MAP_SHARED, PAGE_SHIFT, PAGE_SIZE_N, PROT_EXEC, PROT_READ, PROT_WRITE, RLIM_INFINITY, U64_MASK } from './constants.js';
import { capIpcOwner, capSysAdmin } from './creds.js';
import { err, ok, OK, type SysResult } from './errno.js';
import { mmPopulate } from './gup.js';
import type { Task } from './mm.js';
import { doMmap } from './mmap.js';
import { ShmAttach, type ShmSegment } from './shm-ids.js';
import type { System } from './system.js';
import { doMunmap } from './vma-ops.js';

/** include/uapi/linux/shm.h. */
export const SHM_RDONLY = 0o10000, SHM_RND = 0o20000, SHM_REMAP = 0o40000, SHM_EXEC = 0o100000;
/** include/uapi/linux/shm.h: SHMMAX (the default kernel.shmmax). */
const SHMMAX = ((1n << 64n) - 1n) - (1n << 24n);
const SHMLBA = PAGE_SIZE_N; // x86
const pagesOf = (bytes: bigint): number => Number((bytes + PAGE_SIZE_N - 1n) >> BigInt(PAGE_SHIFT));

/** shm_nattch: VMAs of live processes that map an attachment of `seg`. */
export function shmNattch(sys: System, seg: ShmSegment): number {
  let n = 0;
  for (const t of sys.liveTasks()) t.mm.vmas.forEach((v) => { if (v.shm?.seg === seg) n++; });
  return n;
}

/** shm_destroy: the lock charge goes back to the user (shmem_lock(file, 0, ucounts)), the id goes away. */
function destroy(sys: System, seg: ShmSegment): void {
  if (seg.locked) sys.shm.userLockedPages.add(seg.chargedUid, -seg.chargedPages);
  seg.locked = false;
  sys.shm.segments.delete(seg.id);
}

/** shm_close/do_shmat's shm_may_destroy for every segment whose last VMA went away since the last call. */
function reap(sys: System): void {
  for (const seg of [...sys.shm.segments.values()]) if (seg.dest && shmNattch(sys, seg) === 0) destroy(sys, seg);
}

/** shmget(IPC_PRIVATE, size, IPC_CREAT | 0600) (ipc/shm.c:newseg). Returns the id. */
export function sysShmget(t: Task, size: bigint): SysResult {
  reap(t.system);
  if (size < 1n || size > SHMMAX) return err('EINVAL'); // SHMMIN, ns->shm_ctlmax
  return ok(BigInt(t.system.shm.create(size, t.creds.uid).id));
}

/** ipc/shm.c:do_shmat. */
export function sysShmat(t: Task, id: bigint, addrIn: bigint, shmflg: number): SysResult {
  const sys = t.system;
  reap(sys);
  let addr = addrIn & U64_MASK;
  let flags = MAP_SHARED;
  if (id < 0n) return err('EINVAL');
  if (addr) {
    if (addr % SHMLBA) {
      if (!(shmflg & SHM_RND)) return err('EINVAL');
      addr -= addr % SHMLBA;
      if (!addr && shmflg & SHM_REMAP) return err('EINVAL');
    }
    flags |= MAP_FIXED;
  } else if (shmflg & SHM_REMAP) return err('EINVAL');
  const rdonly = (shmflg & SHM_RDONLY) !== 0;
  const prot = (rdonly ? PROT_READ : PROT_READ | PROT_WRITE) | (shmflg & SHM_EXEC ? PROT_EXEC : 0);
  const seg = sys.shm.segments.get(Number(id));
  if (!seg) return err('EINVAL'); // shm_obtain_object_check
  // ipcperms: mode 0600, so only the owner (uid or cuid) may attach, or CAP_IPC_OWNER.
  if (seg.uid !== t.creds.uid && !capIpcOwner(t)) return err('EACCES');
  const size = seg.segsz;
  if (addr && !(shmflg & SHM_REMAP)) {
    if (addr + size > U64_MASK) return err('EINVAL');
    const s = Number(addr >> BigInt(PAGE_SHIFT));
    if (t.mm.vmas.intersection(s, s + pagesOf((addr % PAGE_SIZE_N) + size))) return err('EINVAL');
  }
  const r = doMmap(t, { addr, len: size, prot, flags, file: seg.obj, offset: 0n, shm: new ShmAttach(seg), readOnlyFile: rdonly });
  if (typeof r === 'string') {
    reap(sys); // out_nattch: a failed attach may be the last reference of an SHM_DEST segment
    return err(r);
  }
  if (r.populate) mmPopulate(t, r.addr, r.addr + pagesOf(size), true);
  return ok(BigInt(r.addr) << BigInt(PAGE_SHIFT), true);
}

/** ipc/shm.c:ksys_shmdt: unmap the attachment starting at addr, fragments included. */
export function sysShmdt(t: Task, addrB: bigint): SysResult {
  reap(t.system);
  if (addrB % PAGE_SIZE_N) return err('EINVAL');
  if (addrB > U64_MASK >> 1n) return err('EINVAL'); // above any user address: find_vma finds nothing
  const addr = Number(addrB >> BigInt(PAGE_SHIFT));
  // find_vma(addr) onwards; whole-VMA munmaps leave the other VMAs as they are.
  const vmas = t.mm.vmas.toArray().filter((v) => v.end > addr);
  let i = 0;
  let attach: ShmAttach | null = null;
  let size = 0n;
  // The first shm VMA whose offset from addr equals its vm_pgoff ((vm_start - addr) is unsigned).
  for (; i < vmas.length; i++) {
    const v = vmas[i]!;
    if (v.shm && v.start >= addr && v.start - addr === v.pgoff) {
      attach = v.shm;
      size = v.shm.seg.obj.sizeBytes;
      doMunmap(t, v.start, v.end);
      i++;
      break;
    }
  }
  if (!attach) return err('EINVAL');
  const limit = pagesOf(size);
  for (; i < vmas.length && vmas[i]!.end - addr <= limit; i++) {
    const v = vmas[i]!;
    if (v.shm === attach && v.start - addr === v.pgoff) doMunmap(t, v.start, v.end);
  }
  reap(t.system);
  return OK;
}

export type ShmctlCmd = 'lock' | 'unlock' | 'rmid';

/** shmctl(id, SHM_LOCK | SHM_UNLOCK | IPC_RMID, NULL). */
export function sysShmctl(t: Task, id: bigint, cmd: ShmctlCmd): SysResult {
  const sys = t.system;
  reap(sys);
  const seg = id < 0n ? undefined : sys.shm.segments.get(Number(id));
  if (!seg) return err('EINVAL');
  const owner = seg.uid === t.creds.uid;
  if (cmd === 'rmid') {
    // shmctl_down -> ipcctl_obtain_check: the owner or CAP_SYS_ADMIN.
    if (!owner && !capSysAdmin(t)) return err('EPERM');
    // do_shm_rmid: still attached → SHM_DEST (the key turns private), else destroyed now.
    if (shmNattch(sys, seg) > 0) seg.dest = true;
    else destroy(sys, seg);
    return OK;
  }
  // shmctl_do_lock: without CAP_IPC_LOCK, only the owner, and SHM_LOCK needs a non-zero RLIMIT_MEMLOCK.
  if (!t.capIpcLock() && (!owner || (cmd === 'lock' && t.rlimits.memlock.cur === 0n))) return err('EPERM');
  if (cmd === 'lock') {
    if (seg.locked) return OK; // shmem_lock: already VM_LOCKED, nothing charged again
    // user_shm_lock: the caller's user's count plus this segment against the caller's limit.
    const pages = pagesOf(seg.obj.sizeBytes);
    const uid = t.creds.uid;
    const cur = t.rlimits.memlock.cur;
    const over = cur !== RLIM_INFINITY && BigInt(sys.shm.userLockedPages.get(uid) + pages) > cur >> BigInt(PAGE_SHIFT);
    if (over && !t.capIpcLock()) return err('ENOMEM');
    sys.shm.userLockedPages.add(uid, pages);
    seg.locked = true;
    seg.chargedPages = pages;
    seg.chargedUid = uid;
    return OK;
  }
  if (seg.locked) {
    sys.shm.userLockedPages.add(seg.chargedUid, -seg.chargedPages);
    seg.locked = false;
    seg.chargedPages = 0;
  }
  return OK;
}
