// Linux: mm/filemap.c:do_sync_mmap_readahead / do_async_mmap_readahead and
// mm/readahead.c (linux-6.18). A fault that misses the page cache of a regular file reads
// a window of the file in, then the fault is retried (maybe_unlock_mmap_for_io dropped
// the lock for the I/O, so filemap_fault returns VM_FAULT_RETRY) and the retry's
// fault-around maps what came in. The window's folio at start + size - async_size gets
// PG_readahead: fault-around skips it, and the fault that finds it cached reads the next
// window (page_cache_async_ra), in larger folios, then retries too.
// shmem and secretmem faults (shmem_fault) do no readahead.
import { HPAGE_PAGES } from './constants.js';
import { initRaSize, nextRaSize, type FileRa } from './file-ra.js';
import { folioAt } from './folios.js';
import { IntervalSet } from './interval-set.js';
import type { MemObject } from './pages.js';
import { doPageCacheRa, nextMiss, raOrder, readIn } from './ra-alloc.js';
import { VM_EXEC, VM_HUGEPAGE, VM_RAND_READ, VM_SEQ_READ, type Vma } from './vma.js';

/** The VMA's f_ra: every file-backed VMA has its struct file from mmap or the image (runtime/invariants.ts). */
const fileRa = (v: Vma): FileRa => v.vmFile!.ra;

/**
 * do_sync_mmap_readahead, then filemap_fault's __filemap_get_folio(FGP_CREAT) for the
 * faulting page when the window did not bring it. Not modelled: mmap_miss (read-around
 * stops after MMAP_LOTSAMISS = 100 misses without hits on one open file).
 */
export function syncMmapReadahead(v: Vma, obj: MemObject, idx: number, eof: number): void {
  if (obj.kind === 'file') fileSyncReadahead(v, obj, idx, eof);
  readIn(obj, idx, idx + 1);
}

function fileSyncReadahead(v: Vma, obj: MemObject, idx: number, eof: number): void {
  const f = v.flags, raPages = obj.bdi.raPages;
  // CONFIG_TRANSPARENT_HUGEPAGE: VM_HUGEPAGE reads PMD-aligned, two PMDs unless random.
  // Not modelled: its PMD folios and the PG_readahead mark it sets.
  if (f & VM_HUGEPAGE) {
    const s = idx - (idx % HPAGE_PAGES);
    readIn(obj, s, Math.min(s + (f & VM_RAND_READ ? 1 : 2) * HPAGE_PAGES, eof));
    return;
  }
  // "VM_EXEC case below is already intended for random access": MADV_RANDOM stops
  // readahead only in VMAs without VM_EXEC (observed: an r-x mapping still reads ahead).
  if ((f & (VM_RAND_READ | VM_EXEC)) === VM_RAND_READ || raPages === 0) return;
  const ra = fileRa(v);
  if (f & VM_SEQ_READ) { syncRa(obj, ra, idx, raPages, eof); return; }
  if (f & VM_EXEC) {
    // exec_folio_order() is 0 on x86; forward from the fault, clipped to the VMA, no async part.
    ra.start = Math.max(idx, v.pgoff);
    ra.size = Math.min(ra.start + raPages, v.pgoff + v.pages) - ra.start;
    ra.asyncSize = 0;
  } else {
    // mmap read-around: ra_pages centred on the fault, the last quarter asynchronous.
    ra.start = Math.max(0, idx - Math.floor(raPages / 2));
    ra.size = raPages;
    ra.asyncSize = Math.floor(raPages / 4);
  }
  ra.order = 0;
  raOrder(obj, ra, eof);
}

/**
 * page_cache_sync_ra(ractl, ra_pages) for a VM_SEQ_READ fault. Faults never set
 * f_ra.prev_pos (still -1 from file_ra_state_init), so only index 0 starts a window
 * (get_init_ra_size(ra_pages) = ra_pages, PG_readahead halfway); elsewhere the cached
 * run before the fault is at most max_pages = req_count long (page_cache_prev_miss scans
 * that far), a "standalone, small random read": ra_pages from the fault, no mark, f_ra unchanged.
 */
function syncRa(obj: MemObject, ra: FileRa, idx: number, raPages: number, eof: number): void {
  if (idx === 0) {
    ra.start = 0;
    ra.size = initRaSize(raPages, raPages);
    ra.asyncSize = ra.size > raPages ? ra.size - raPages : ra.size >> 1;
    ra.order = 0;
    raOrder(obj, ra, eof);
    return;
  }
  doPageCacheRa(obj, idx, raPages, 0, eof, null);
}

/**
 * filemap_fault found page idx cached (first try): do_async_mmap_readahead. Unless the
 * VMA is VM_RAND_READ or readahead is off, a folio with PG_readahead (or PG_reclaim, the
 * same bit) loses it and page_cache_async_ra reads the next window; the fault is then
 * retried. Returns the pages that window read (still under I/O when the retry's
 * fault-around runs, so it skips them), or null when the fault is not retried.
 * Not modelled: a folio under writeback (page_cache_async_ra leaves it alone).
 */
export function asyncMmapReadahead(v: Vma, obj: MemObject, idx: number, eof: number): IntervalSet | null {
  if (obj.kind !== 'file' || v.flags & VM_RAND_READ || obj.bdi.raPages === 0) return null;
  if (!obj.reclaimMark.has(idx)) return null;
  const [h, n] = folioAt(obj, idx);
  obj.reclaimMark.remove(h, h + n);
  const ra = fileRa(v), max = obj.bdi.raPages;
  const fresh = new IntervalSet();
  // The expected marker: the stream goes on, the window moves forward and ramps up.
  if (idx === ra.start + ra.size - ra.asyncSize - ((ra.start + ra.size - ra.asyncSize) % n)) {
    ra.start += ra.size;
    ra.size = Math.max(ra.size, nextRaSize(ra.size, max));
    ra.asyncSize = ra.size;
  } else {
    // "Hit a marked folio without valid readahead state": the next window starts at the
    // first hole after the folio, if one is within max_pages.
    const start = nextMiss(obj, idx + 1, max);
    if (start - idx > max) return fresh;
    ra.start = start;
    ra.size = nextRaSize(start - idx + max, max);
    ra.asyncSize = ra.size;
  }
  ra.order += 2;
  raOrder(obj, ra, eof, fresh);
  return fresh;
}

/**
 * mm/madvise.c:madvise_willneed on a regular file: vfs_fadvise(POSIX_FADV_WILLNEED) ->
 * mm/fadvise.c:generic_fadvise -> mm/readahead.c:force_page_cache_ra, which reads at
 * most max(bdi->io_pages, f_ra.ra_pages) pages from file index s, clipped to [s, e) and
 * EOF (observed on 6.18 with an ext4 loop device: read_ahead_kb 128 and max_sectors_kb
 * 1280 read 320 pages, max_sectors_kb 256 read 64), order 0 without marks
 * (do_page_cache_ra(..., 0)). shmem (no swap here), secretmem and hugetlbfs (noop
 * backing device) read nothing.
 */
export function willneedReadahead(obj: MemObject, s: number, e: number, eof: number): void {
  if (obj.kind !== 'file') return;
  readIn(obj, s, Math.min(e, s + Math.max(obj.bdi.ioPages, obj.bdi.raPages), eof));
}
