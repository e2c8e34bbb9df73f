// The large folios readahead puts in a regular file's page cache (mm/readahead.c:
// page_cache_ra_order, linux-6.18; ext4 supports large folios since 6.16). Every other
// cached page is an order-0 folio: the scenario's files are written page by page, and
// read-around and MADV_SEQUENTIAL windows read order 0 (ra->order = 0). Folios are
// naturally aligned, so the one holding an index starts at it rounded down to its size.
import type { MemObject } from './pages.js';

/** MAX_PAGECACHE_ORDER on x86-64 with 4 KiB pages: HPAGE_PMD_ORDER. */
export const MAX_PAGECACHE_ORDER = 9;

/** [head, pages) of the folio holding cached index idx. */
export function folioAt(obj: MemObject, idx: number): [number, number] {
  const m = obj.largeFolios;
  if (m.size) {
    for (let n = 2; n <= 1 << MAX_PAGECACHE_ORDER; n *= 2) {
      const h = idx - (idx % n);
      if (m.get(h) === n) return [h, n];
    }
  }
  return [idx, 1];
}

export function addLargeFolio(obj: MemObject, head: number, pages: number): void {
  if (pages > 1) obj.largeFolios.set(head, pages);
}

/**
 * Pages of [s, e) leave the page cache: a large folio that loses some of them is
 * split (mm/truncate.c:truncate_inode_partial_folio), its remaining pages taken as
 * order-0 folios here.
 */
export function dropFolios(obj: MemObject, s: number, e: number): void {
  const m = obj.largeFolios;
  if (!m.size) return;
  for (const [h, n] of m) if (h < e && h + n > s) m.delete(h);
}
