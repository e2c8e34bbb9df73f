// Dirty state of page-cache pages, for reclaim (madvise MADV_PAGEOUT). Linux:
// mm/vmscan.c:shrink_folio_list (linux-6.18): a clean file or shmem folio that is
// no longer mapped is removed from the page cache (__remove_mapping); a dirty one
// stays — only kswapd writes back file folios, and shmem needs swap, which the
// test machine does not have. Observed on 6.18.44: after MADV_PAGEOUT a page read
// from a hole (or a shmem page only read) is gone from mincore, a page written
// through a shared mapping or by write(2) stays resident.
//
// The model records the clean pages: a page enters the cache clean when a fault
// reads it in (fault.ts) or the start image maps the executable (image.ts); pages
// of the scenario's files are written with write(2) when declared, so dirty; a
// write through a shared mapping dirties a page (do_shared_fault, wp_page_shared).
import { IntervalSet } from './interval-set.js';
import type { MemObject } from './pages.js';

const clean = new WeakMap<MemObject, IntervalSet>();

/** Pages [start, end) of obj were just read into the page cache: clean (PG_dirty clear). */
export function markClean(obj: MemObject, start: number, end: number): void {
  let s = clean.get(obj);
  if (!s) { s = new IntervalSet(); clean.set(obj, s); }
  s.add(start, end);
}

/** Pages [start, end) of obj were written (folio_mark_dirty). */
export function markDirty(obj: MemObject, start: number, end: number): void {
  clean.get(obj)?.remove(start, end);
}

/** Whether page index i of obj is clean: reclaim may drop it from the page cache. */
export function isClean(obj: MemObject, i: number): boolean {
  return clean.get(obj)?.has(i) ?? false;
}
