// `mlock every mapping` (LTP mlock03): the call on [start, end) of every line of
// /proc/self/maps, in address order: each VMA (fs/proc/task_mmu.c:show_map) and then
// the gate VMA [vsyscall], which is no VMA of the mm, so mlock and munlock of it fail
// with ENOMEM (mm/mlock.c:apply_vma_lock_flags finds no VMA) [C: 6.18.44].
// The host reads the file in 64 KiB chunks while it calls; the model takes the list
// first. They agree: a call on a whole VMA may merge it with a neighbour but never
// moves the bounds of a later line.
import { PAGE_SIZE_N, VSYSCALL_PAGE } from './constants.js';
import { OK, type SysResult } from './errno.js';
import { sysMlock, sysMlock2, sysMunlock } from './mlock.js';
import type { Task } from './mm.js';

export function everyMapping(t: Task, call: 'mlock' | 'munlock' | 'mlock2', flags: bigint): SysResult {
  const lines: [bigint, bigint][] = t.mm.vmas.toArray().map((v) => [BigInt(v.start) * PAGE_SIZE_N, BigInt(v.end - v.start) * PAGE_SIZE_N]);
  if (t.mm.gate) lines.push([VSYSCALL_PAGE * PAGE_SIZE_N, PAGE_SIZE_N]);
  let first: SysResult | null = null;
  for (const [start, len] of lines) {
    const r = call === 'mlock' ? sysMlock(t, start, len) : call === 'munlock' ? sysMunlock(t, start, len) : sysMlock2(t, start, len, flags);
    if (!r.ok && !first) first = r;
  }
  return first ?? OK;
}
