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
import { HPAGE_PAGES, PAGE_SIZE_N } from './constants.js';
import { dropFolios } from './folios.js';
import { MemObject } from './pages.js';
import type { System } from './system.js';
import { zapRange } from './vma-ops.js';

/** Where `file <name> <size> [on <fs>]` puts the file (SPEC §3.3); undefined: the temp dir. */
export type FileSystemKind = 'disk' | 'tmpfs' | 'shm' | 'hugetlbfs';

/** A tmpfs superblock's noop bdi: no readahead, no queue (mm/backing-dev.c:noop_backing_dev_info). */
const NOOP_BDI = { raPages: 0, ioPages: 0 };
const HPAGE_BYTES = BigInt(HPAGE_PAGES) * PAGE_SIZE_N;

/**
 * `file <name> <size> [on <fs>]`: a new file of `size` bytes, all in the page cache (written),
 * or, on hugetlbfs, an empty inode sized by ftruncate (hugetlbfs has no write_iter; its pages
 * come from the pool at fault). fs/hugetlbfs/inode.c:hugetlbfs_setattr refuses a size that is
 * not a multiple of the huge page size (EINVAL), leaving the file created and empty.
 * `shm` is shm_open(3), a file on /dev/shm: a tmpfs file like `tmpfs`.
 */
export function createFile(sys: System, name: string, size: bigint, fs?: FileSystemKind): MemObject | 'EINVAL' {
  sys.unlinkedFiles.delete(name);
  if (fs === 'hugetlbfs') {
    const f = new MemObject('hugetlb', `/hugetlbfs/${name}`);
    sys.files.set(name, f);
    if (size % HPAGE_BYTES !== 0n) return 'EINVAL';
    f.sizeBytes = size;
    return f;
  }
  const tmpfs = fs === 'tmpfs' || fs === 'shm' || (fs === undefined && sys.tmpIsTmpfs);
  const f = new MemObject(tmpfs ? 'shmem' : 'file', fs === 'shm' ? `/dev/shm/${name}` : `/tmp/mls/${name}`);
  f.sizeBytes = size;
  // file_ra_state_init at each open: the temp dir's device, or a tmpfs's noop bdi elsewhere.
  f.bdi = tmpfs && !sys.tmpIsTmpfs ? NOOP_BDI : sys.tmpBdi;
  f.cache.add(0, Number((size + PAGE_SIZE_N - 1n) / PAGE_SIZE_N));
  sys.files.set(name, f);
  return f;
}

/**
 * `unlink <name>`: the name goes (do_unlinkat; shm_unlink is unlink on /dev/shm); the inode and
 * its page cache live on while a mapping holds the file, so nothing a mapping shows changes.
 * Opening the name again is ENOENT.
 */
export function unlinkFile(sys: System, name: string): 'ENOENT' | undefined {
  if (!sys.files.delete(name)) return 'ENOENT';
  sys.unlinkedFiles.add(name);
  return undefined;
}

/** The file a statement opens by name: ENOENT once unlinked; undefined if never declared. */
export function lookupFile(sys: System, name: string): MemObject | 'ENOENT' | undefined {
  return sys.files.get(name) ?? (sys.unlinkedFiles.has(name) ? 'ENOENT' : undefined);
}

export function truncateFile(sys: System, f: MemObject, size: bigint): 'EINVAL' | undefined {
  // hugetlbfs_setattr: only whole huge pages; hugetlb_vmtruncate then unmaps and frees past EOF.
  if (f.kind === 'hugetlb' && size % HPAGE_BYTES !== 0n) return 'EINVAL';
  const oldPages = Number((f.sizeBytes + PAGE_SIZE_N - 1n) / PAGE_SIZE_N);
  const newPages = Number((size + PAGE_SIZE_N - 1n) / PAGE_SIZE_N);
  f.sizeBytes = size;
  if (newPages >= oldPages) return undefined;
  if (f.kind === 'hugetlb') {
    // remove_inode_hugepages: the freed huge pages go back to the pool.
    let freed = 0;
    f.cache.forEachIn(newPages, Number.MAX_SAFE_INTEGER, (a, b) => { freed += b - a; });
    sys.hugePagesFree += Math.floor(freed / HPAGE_PAGES);
  }
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
  return undefined;
}
