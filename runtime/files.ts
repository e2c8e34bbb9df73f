// Files the scenario declares: page cache objects with a size. Linux:
// mm/truncate.c:truncate_pagecache (unmap_mapping_range with even_cows, then
// drop the page cache past the new EOF) (linux-6.18).
import { PAGE_SIZE_N } from './constants.js';
import { dropFolios } from './folios.js';
import type { MemObject } from './pages.js';
import type { System } from './system.js';
import { zapRange } from './vma-ops.js';

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
