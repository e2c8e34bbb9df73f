// Linux: mm/msync.c SYSCALL msync (linux-6.18).
import { MS_ASYNC, MS_INVALIDATE, MS_SYNC, PAGE_SIZE_N, U64_MASK } from './constants.js';
import { err, OK, type SysResult } from './errno.js';
import type { Task } from './mm.js';
import { VM_LOCKED, VM_SHARED } from './vma.js';
import { isClean, markClean } from './writeback.js';

/**
 * Flags are validated first (unknown bits, or MS_ASYNC with MS_SYNC: EINVAL);
 * then each VMA in the range: a hole gives ENOMEM (after the walk), and
 * MS_INVALIDATE on a VM_LOCKED VMA gives EBUSY at once. MS_SYNC on a shared
 * mapping of a regular file: vfs_fsync_range writes the range's dirty pages back,
 * so reclaim may then drop them (writeback.ts), and folio_end_writeback clears the
 * PG_reclaim that MADV_PAGEOUT set (mm/filemap.c). shmem's fsync does nothing.
 */
export function sysMsync(t: Task, startB: bigint, lenB: bigint, flags: bigint): SysResult {
  if (flags & ~BigInt(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return err('EINVAL');
  if (startB % PAGE_SIZE_N) return err('EINVAL');
  if (flags & BigInt(MS_ASYNC) && flags & BigInt(MS_SYNC)) return err('EINVAL');
  const len = ((lenB + PAGE_SIZE_N - 1n) / PAGE_SIZE_N) * PAGE_SIZE_N;
  const endB = startB + len;
  if (endB > U64_MASK || (endB & U64_MASK) < startB) return err('ENOMEM');
  if (endB === startB) return OK;
  let s = Number(startB >> 12n);
  const e = Number(endB >> 12n);
  let unmapped = false;
  for (;;) {
    const v = t.mm.vmas.find(s);
    if (!v) return err('ENOMEM');
    if (s < v.start) {
      if (v.start >= e) return err('ENOMEM');
      s = v.start;
      unmapped = true;
    }
    if (flags & BigInt(MS_INVALIDATE) && v.flags & VM_LOCKED) return err('EBUSY');
    if (flags & BigInt(MS_SYNC) && v.flags & VM_SHARED && v.file?.kind === 'file') {
      const fs = v.index(s), fe = v.index(Math.min(e, v.end));
      // folio_end_writeback clears PG_reclaim of the dirty folios written; a clean
      // folio's PG_readahead (the same bit) stays, as no writeback touches it.
      const f = v.file, written: number[] = [];
      f.reclaimMark.forEachIn(fs, fe, (a, b) => { for (let i = a; i < b; i++) if (!isClean(f, i)) written.push(i); });
      for (const i of written) f.reclaimMark.remove(i, i + 1);
      markClean(f, fs, fe);
    }
    s = v.end;
    if (s >= e) return unmapped ? err('ENOMEM') : OK;
  }
}
