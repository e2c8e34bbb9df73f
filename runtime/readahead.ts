// Linux: mm/filemap.c:do_sync_mmap_readahead and mm/readahead.c (linux-6.18). A fault
// that misses the page cache of a regular file reads a window of the file in, then
// the fault is retried (maybe_unlock_mmap_for_io dropped the lock for the I/O, so
// filemap_fault returns VM_FAULT_RETRY) and the retry's fault-around maps what came in.
// shmem and secretmem faults (shmem_fault) do no readahead.
import { HPAGE_PAGES } from './constants.js';
import type { MemObject } from './pages.js';
import { VM_EXEC, VM_HUGEPAGE, VM_RAND_READ, VM_SEQ_READ, type Vma } from './vma.js';
import { markClean } from './writeback.js';

/**
 * The [start, end) file indexes do_sync_mmap_readahead asks for when index `idx` of
 * VMA v misses the cache, or null when it reads only the faulting page. raPages is
 * file->f_ra.ra_pages: the file's backing device's read_ahead_kb / 4 (runtime/backing-dev.ts).
 * Not modelled: mmap_miss > MMAP_LOTSAMISS (100 misses without hits on one open file
 * turns read-around off) and PG_readahead marks, which only matter for files longer
 * than half a window.
 */
export function readaheadWindow(v: Vma, idx: number, raPages: number): [number, number] | null {
  const f = v.flags;
  // CONFIG_TRANSPARENT_HUGEPAGE: VM_HUGEPAGE reads PMD-aligned, two PMDs unless random.
  if (f & VM_HUGEPAGE) {
    const s = idx - (idx % HPAGE_PAGES);
    return [s, s + (f & VM_RAND_READ ? 1 : 2) * HPAGE_PAGES];
  }
  // "VM_EXEC case below is already intended for random access": MADV_RANDOM stops
  // readahead only in VMAs without VM_EXEC (observed: an r-x mapping still reads ahead).
  if ((f & (VM_RAND_READ | VM_EXEC)) === VM_RAND_READ) return null;
  if (raPages === 0) return null;
  // VM_SEQ_READ: page_cache_sync_ra, which starts its window at the fault.
  if (f & VM_SEQ_READ) return [idx, idx + raPages];
  // VM_EXEC: exec_folio_order() is 0 on x86; forward from the fault, clipped to the VMA.
  if (f & VM_EXEC) return [idx, Math.min(idx + raPages, v.pgoff + v.pages)];
  // mmap read-around: ra_pages centred on the fault.
  const s = Math.max(0, idx - Math.floor(raPages / 2));
  return [s, s + raPages];
}

/**
 * page_cache_ra_order / page_cache_ra_unbounded: every page of the window below EOF
 * that is not cached yet is read in (clean); cached pages are skipped, not re-read.
 * The faulting page itself is read in even without readahead.
 */
export function syncMmapReadahead(v: Vma, obj: MemObject, idx: number, eof: number): void {
  const w = obj.kind === 'file' ? readaheadWindow(v, idx, obj.bdi.raPages) : null;
  const s = w ? Math.min(w[0], idx) : idx;
  const e = Math.min(w ? Math.max(w[1], idx + 1) : idx + 1, eof);
  readIn(obj, s, e);
}

/** page_cache_ra_unbounded: the pages of [s, e) not cached yet are read in, clean. */
function readIn(obj: MemObject, s: number, e: number): void {
  // One page (shmem, no readahead): the caller found it missing.
  if (e === s + 1 && !obj.cache.has(s)) { obj.cache.add(s, e); markClean(obj, s, e); return; }
  // The holes of [s, e), collected first: adding to the cache while walking it is not allowed.
  const holes: number[] = [];
  let at = s;
  obj.cache.forEachIn(s, e, (a, b) => { if (a > at) holes.push(at, a); at = Math.max(at, b); });
  if (e > at) holes.push(at, e);
  for (let i = 0; i < holes.length; i += 2) { obj.cache.add(holes[i]!, holes[i + 1]!); markClean(obj, holes[i]!, holes[i + 1]!); }
}

/**
 * mm/madvise.c:madvise_willneed on a regular file: vfs_fadvise(POSIX_FADV_WILLNEED) ->
 * mm/fadvise.c:generic_fadvise -> mm/readahead.c:force_page_cache_ra, which reads at
 * most max(bdi->io_pages, f_ra.ra_pages) pages from file index s, clipped to [s, e) and
 * EOF (observed on 6.18 with an ext4 loop device: read_ahead_kb 128 and max_sectors_kb
 * 1280 read 320 pages, max_sectors_kb 256 read 64). shmem (no swap here), secretmem and
 * hugetlbfs (noop backing device) read nothing.
 */
export function willneedReadahead(obj: MemObject, s: number, e: number, eof: number): void {
  if (obj.kind !== 'file') return;
  readIn(obj, s, Math.min(e, s + Math.max(obj.bdi.ioPages, obj.bdi.raPages), eof));
}
