// Long-term pins that charge pinned_vm, not locked_vm: io_uring buffer
// registration (io_uring/rsrc.c:io_sqe_buffer_register -> io_pin_pages ->
// pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM); io_account_mem charges the
// per-user user_struct->locked_vm against RLIMIT_MEMLOCK unless CAP_IPC_LOCK,
// and adds to mm->pinned_vm without a check) (linux-6.18).
import { PAGE_SIZE_N, U64_MASK } from './constants.js';
import { err, OK, type SysResult } from './errno.js';
import { faultRange } from './fault.js';
import type { Task } from './mm.js';
import { VM_WRITE } from './vma.js';

export function sysPin(t: Task, startB: bigint, lenB: bigint): SysResult {
  // io_uring_setup does not exist before v5.1.
  if (!t.system.profile.behaviour.ioUring) return err('ENOSYS');
  const s = Number(startB / PAGE_SIZE_N);
  const endB = startB + lenB;
  if (lenB === 0n || endB > U64_MASK) return err('EFAULT');
  const e = Number((endB + PAGE_SIZE_N - 1n) / PAGE_SIZE_N);
  const pages = e - s;
  if (!t.capIpcLock()) {
    if (t.system.userLockedVm.get(t.creds.uid) + pages > t.memlockLimitPages()) return err('ENOMEM');
  }
  // pin_user_pages: every page must be in a writable VMA; they are write-faulted.
  let cur = s;
  const vmas = t.mm.vmas.overlapping(s, e);
  for (const v of vmas) { if (v.start > cur) return err('EFAULT'); cur = v.end; }
  if (cur < e) return err('EFAULT');
  for (const v of vmas) {
    if (!(v.flags & VM_WRITE)) return err('EFAULT');
    const r = faultRange(t, v, Math.max(s, v.start), Math.min(e, v.end), true);
    if (r.error) return err('EFAULT');
  }
  // io_uring_create: ctx->user = current_user() unless CAP_IPC_LOCK; the charge returns to that user.
  const charged = t.capIpcLock() ? null : t.creds.uid;
  if (charged !== null) t.system.userLockedVm.add(charged, pages);
  t.mm.pinnedVm += pages;
  t.mm.pins.push({ start: s, end: e, charged });
  return OK;
}

/** Unregistering the buffer: unpin, give back pinned_vm and the per-user charge. */
export function sysUnpin(t: Task, startB: bigint, lenB: bigint): SysResult {
  if (!t.system.profile.behaviour.ioUring) return err('ENOSYS');
  const s = Number(startB / PAGE_SIZE_N);
  const e = Number((startB + lenB + PAGE_SIZE_N - 1n) / PAGE_SIZE_N);
  const i = t.mm.pins.findIndex((p) => p.start === s && p.end === e);
  if (i < 0) return err('EINVAL');
  const [p] = t.mm.pins.splice(i, 1);
  t.mm.pinnedVm -= e - s;
  if (p!.charged !== null) t.system.userLockedVm.add(p!.charged, -(e - s));
  return OK;
}

/** mm_mpin / mm_munpin of the VM_PINNED proposal (seed 003); mainline has no such call: ENOSYS. */
export function sysMpin(t: Task, start: bigint, len: bigint): SysResult {
  const o = t.system.profile.syscalls.mpin;
  return o ? o(t, start, len) : err('ENOSYS');
}

export function sysMunpin(t: Task, start: bigint, len: bigint): SysResult {
  const o = t.system.profile.syscalls.munpin;
  return o ? o(t, start, len) : err('ENOSYS');
}
