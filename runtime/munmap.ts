// Linux: mm/mmap.c SYSCALL munmap -> __vm_munmap -> mm/vma.c:do_vmi_munmap (linux-6.18).
import { PAGE_SHIFT, PAGE_SIZE_N, TASK_SIZE_PAGES } from './constants.js';
import { err, OK, type SysResult } from './errno.js';
import type { Task } from './mm.js';
import { doMunmap } from './vma-ops.js';

const TASK_SIZE = BigInt(TASK_SIZE_PAGES) << BigInt(PAGE_SHIFT);

export function sysMunmap(t: Task, start: bigint, len: bigint): SysResult {
  if (start % PAGE_SIZE_N !== 0n || start > TASK_SIZE || len > TASK_SIZE - start) return err('EINVAL');
  const lenA = (len + PAGE_SIZE_N - 1n) / PAGE_SIZE_N;
  if (lenA === 0n) return err('EINVAL');
  const s = Number(start >> BigInt(PAGE_SHIFT));
  const e = doMunmap(t, s, s + Number(lenA));
  return e ? err(e) : OK;
}
