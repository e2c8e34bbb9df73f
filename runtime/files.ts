// Files the scenario declares: page cache objects with a size. Linux:
// mm/truncate.c:truncate_pagecache (unmap_mapping_range with even_cows, then
// drop the page cache past the new EOF) (linux-6.18).
//
// Where the executor creates them decides what they are. On a disk filesystem (ext4)
// a regular file: filemap_fault with readahead, writeback, PG_reclaim after a failed
// MADV_PAGEOUT, THP-aligned placement (thp_get_unmapped_area). On tmpfs a shmem inode
// (mm/shmem.c, shmem_file_operations, linux-6.18): shmem_fault reads nothing ahead and
// finish_fault maps the one page, with no retry; filemap_map_pages may map past an
// unmapped PMD (can_map_large = shmem_mapping); its pages count in RssShmem
// (mm_counter_file: folio_test_swapbacked); msync's fsync is noop_fsync and
// shmem_writeout fails without swap, so a written page survives MADV_PAGEOUT and only
// pages never written (read from a hole) are reclaimed; shmem_get_unmapped_area leaves
// the address unaligned on a huge=never mount; shmem_setattr truncates as
// truncate_pagecache does (unmap_mapping_range even_cows, before and after
// shmem_truncate_range). Both are written with write(2) when declared: dirty.
import { PAGE_SIZE_N } from './constants.js';
import { dropFolios } from './folios.js';
import { MemObject } from './pages.js';
import type { System } from './system.js';
import { zapRange } from './vma-ops.js';

/** `file <name> <size>`: a new file of `size` bytes, all in the page cache (written). */
export function createFile(sys: System, name: string, size: bigint): MemObject {
  const f = new MemObject(sys.tmpIsTmpfs ? 'shmem' : 'file', `/tmp/mls/${name}`);
  f.sizeBytes = size;
  f.bdi = sys.tmpBdi; // file_ra_state_init at each open: the temp dir's device
  f.cache.add(0, Number((size + PAGE_SIZE_N - 1n) / PAGE_SIZE_N));
  sys.files.set(name, f);
  return f;
}

export function truncateFile(sys: System, f: MemObject, size: bigint): void {
  const oldPages = Number((f.sizeBytes + PAGE_SIZE_N - 1n) / PAGE_SIZE_N);
  const newPages = Number((size + PAGE_SIZE_N - 1n) / PAGE_SIZE_N);
  f.sizeBytes = size;
  if (newPages >= oldPages) return;
  // Every mapping of the file loses its PTEs past EOF, private COW copies included.
  for (const t of sys.liveTasks()) {
    for (const v of t.mm.vmas.toArray()) {
      if (v.file !== f) continue;
      const from = Math.max(v.start, v.start + newPages - v.pgoff);
      // Guard markers stay: unmap_mapping_range's zap_details lack ZAP_FLAG_DROP_MARKER
      // (mm/memory.c:zap_nonpresent_ptes) — a write there is still SIGSEGV, not SIGBUS.
      if (from < v.end) zapRange(t.mm, from, v.end, true);
    }
  }
  f.cache.remove(newPages, Number.MAX_SAFE_INTEGER);
  f.strandedMlock.remove(newPages, Number.MAX_SAFE_INTEGER);
  f.reclaimMark.remove(newPages, Number.MAX_SAFE_INTEGER);
  dropFolios(f, newPages, Number.MAX_SAFE_INTEGER);
  f.dropContents(newPages, oldPages);
}
