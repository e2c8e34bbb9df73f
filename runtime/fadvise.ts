// Page-cache control of a whole file: fsync(2)/fdatasync(2) (fs/sync.c:vfs_fsync_range)
// and posix_fadvise(POSIX_FADV_DONTNEED) (mm/fadvise.c:generic_fadvise, linux-6.18).
//
// fsync writes the dirty pages back and waits: they are clean (writeback.ts), and
// folio_end_writeback clears the PG_reclaim MADV_PAGEOUT left on them (as msync
// MS_SYNC, msync.ts). shmem's fsync is noop_fsync: its pages stay dirty.
//
// FADV_DONTNEED starts writeback without waiting (__filemap_fdatawrite_range,
// WB_SYNC_NONE), then mapping_try_invalidate drops the folios mapping_evict_folio
// accepts: not dirty, not under writeback, and no reference beyond the page cache's
// (a mapped page holds one per PTE). Observed on 6.18.44 (ext4): every page of a file
// just written stays cached after one DONTNEED (its writeback had only started); after
// fsync they go, except the pages a mapping maps. The model keeps the dirty pages
// dirty: when their writeback ends depends on the disk, so a scenario fsyncs first.
import { dropFolios } from './folios.js';
import type { MemObject } from './pages.js';
import { mapcount } from './rmap.js';
import { isClean, markClean } from './writeback.js';

/** fsync/fdatasync of file f: its cached pages are written back (a regular file only). */
export function fileSync(f: MemObject): void {
  if (f.kind !== 'file') return; // shmem: noop_fsync
  const cached: Array<[number, number]> = [];
  f.cache.forEachIn(0, Number.MAX_SAFE_INTEGER, (a, b) => cached.push([a, b]));
  for (const [a, b] of cached) {
    for (let i = a; i < b; i++) if (!isClean(f, i)) f.reclaimMark.remove(i, i + 1);
    markClean(f, a, b);
  }
}

/** posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED): drop the clean, unmapped cached pages of f. */
export function fadviseDontneed(f: MemObject): void {
  // hugetlbfs has the noop bdi: generic_fadvise ignores the advice and returns 0.
  if (f.kind === 'hugetlb') return;
  const victims: number[] = [];
  f.cache.forEachIn(0, Number.MAX_SAFE_INTEGER, (a, b) => {
    for (let i = a; i < b; i++) if (isClean(f, i) && mapcount(f, i) === 0) victims.push(i);
  });
  for (const i of victims) {
    f.cache.remove(i, i + 1);
    f.reclaimMark.remove(i, i + 1);
    f.strandedMlock.remove(i, i + 1); // freeing an mlocked folio clears the flag (mlock_drain_local)
    dropFolios(f, i, i + 1);
  }
}
