// How readahead fills the page cache (mm/readahead.c, linux-6.18): page_cache_ra_order
// allocates folios of the order the window asks for, page_cache_ra_unbounded order-0
// pages, and each puts PG_readahead (MemObject.reclaimMark, the PG_reclaim bit) on the
// new folio at start + size - async_size. Pages already cached are skipped, not re-read,
// and never marked. Pages come in clean (the I/O completes before the model looks again).
import { addLargeFolio, MAX_PAGECACHE_ORDER } from './folios.js';
import type { FileRa } from './file-ra.js';
import type { MemObject } from './pages.js';
import { IntervalSet } from './interval-set.js';
import { markClean } from './writeback.js';

function addPages(obj: MemObject, s: number, e: number, fresh: IntervalSet | null): void {
  obj.cache.add(s, e);
  markClean(obj, s, e);
  fresh?.add(s, e);
}

/** The uncached stretches of [s, e), collected first: the cache may not change while walked. */
function holes(obj: MemObject, s: number, e: number): number[] {
  const out: number[] = [];
  let at = s;
  obj.cache.forEachIn(s, e, (a, b) => { if (a > at) out.push(at, a); at = Math.max(at, b); });
  if (e > at) out.push(at, e);
  return out;
}

/** Every uncached page of [s, e) read in as order-0 folios, unmarked (force_page_cache_ra, FGP_CREAT). */
export function readIn(obj: MemObject, s: number, e: number, fresh: IntervalSet | null = null): void {
  // One page (shmem, no readahead): the caller found it missing.
  if (e === s + 1 && !obj.cache.has(s)) { addPages(obj, s, e, fresh); return; }
  const h = holes(obj, s, e);
  for (let i = 0; i < h.length; i += 2) addPages(obj, h[i]!, h[i + 1]!, fresh);
}

/** page_cache_next_miss: the first uncached index of [from, from + max), else from + max. */
export function nextMiss(obj: MemObject, from: number, max: number): number {
  const h = holes(obj, from, from + max);
  return h.length ? h[0]! : from + max;
}

/**
 * do_page_cache_ra -> page_cache_ra_unbounded: nr order-0 pages from index, clipped
 * at EOF; the page nr - lookahead after index (of the clipped nr) gets PG_readahead.
 */
export function doPageCacheRa(obj: MemObject, index: number, nr: number, lookahead: number, eof: number, fresh: IntervalSet | null): void {
  if (eof === 0 || index > eof - 1) return;
  if (nr > eof - 1 - index) nr = eof - index;
  const mark = lookahead <= nr ? index + nr - lookahead : -1;
  const h = holes(obj, index, index + nr);
  for (let i = 0; i < h.length; i += 2) {
    addPages(obj, h[i]!, h[i + 1]!, fresh);
    if (mark >= h[i]! && mark < h[i + 1]!) obj.reclaimMark.add(mark, mark + 1);
  }
}

const ilog2 = (n: number): number => Math.floor(Math.log2(n));

/**
 * page_cache_ra_order for the window ra describes: folios of ra.order (capped by
 * MAX_PAGECACHE_ORDER and ilog2(size), smaller where the index is unaligned or near the
 * window's last page or EOF); the folio holding start + size - async_size gets
 * PG_readahead (ra_alloc_folio). At the first cached page filemap_add_folio fails
 * (-EEXIST) and the rest of the window is read by do_page_cache_ra, order 0.
 */
export function raOrder(obj: MemObject, ra: FileRa, eof: number, fresh: IntervalSet | null = null): void {
  const start = ra.start;
  const limit = Math.min(eof - 1, start + ra.size - 1);
  const mark = start + ra.size - ra.asyncSize;
  const order = Math.max(0, Math.min(MAX_PAGECACHE_ORDER, ra.order, ilog2(ra.size)));
  ra.order = order;
  let index = start;
  while (index <= limit) {
    let o = order;
    if (index % (1 << o)) { o = 0; while (index % (2 << o) === 0) o++; } // __ffs(index)
    while (o > 0 && index + (1 << o) - 1 > limit) o--;
    const n = 1 << o;
    const c = obj.cache.nextIn(index);
    if (c !== undefined && c < index + n) break;
    addPages(obj, index, index + n, fresh);
    addLargeFolio(obj, index, n);
    if (index === mark - (mark % n)) obj.reclaimMark.add(index, index + n);
    index += n;
  }
  if (index > limit) return;
  if (ra.size > index - start) doPageCacheRa(obj, index, ra.size - (index - start), ra.asyncSize, eof, fresh);
}
