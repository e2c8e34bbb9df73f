// folio->mlock_count of the folios a VMA lock change did not account for.
//
// Linux (mm/mlock.c, 6.18): a folio on the unevictable LRU counts the mlocks of it
// in folio->mlock_count: mlock_folio (lock of a VMA mapping it) adds one,
// munlock_folio takes one and clears PG_mlocked at 0. mremap MREMAP_DONTUNMAP
// clears VM_LOCKED of the source VMA without the munlock walk
// (mm/mremap.c:dontunmap_complete), so the folios left there stay PG_mlocked with
// their count: "stranded". Isolating such a folio and putting it back
// (MADV_PAGEOUT's folio_isolate_lru + shrink_folio_list's activate_locked) resets
// the count to 0 (mm/swap.c:lru_add: "err on the safe side, underestimate"), so a
// later mlock + munlock of it frees it from the unevictable LRU. Observed on
// 6.18.44: a stranded page survives MADV_FREE + MADV_PAGEOUT and mlock + munlock,
// but after a PAGEOUT attempt, mlock + munlock make it reclaimable.
//
// Model: index -> mlock_count, for stranded pages only (a page that a VM_LOCKED
// VMA maps is locked by the VMA and needs no entry). An entry means PG_mlocked.

export class MlockCounts {
  /** Whether any page was ever stranded in this process: lock changes skip their page walk until then. */
  static any = false;
  private readonly counts = new Map<number, number>();

  get size(): number { return this.counts.size; }
  has(i: number): boolean { return this.counts.has(i); }
  get(i: number): number | undefined { return this.counts.get(i); }

  /** Strand [start, end) with mlock_count `count` (the mlocks no VMA flag accounts for any more). */
  add(start: number, end: number, count = 1): void {
    if (end > start) MlockCounts.any = true;
    for (let i = start; i < end; i++) this.counts.set(i, (this.counts.get(i) ?? 0) + count);
  }

  /** mlock_folio on a stranded folio: one more mlock. */
  mlock(i: number): void { const c = this.counts.get(i); if (c !== undefined) this.counts.set(i, c + 1); }

  /** munlock_folio: one fewer; at 0 PG_mlocked is cleared and the folio is evictable again. */
  munlock(i: number): void {
    const c = this.counts.get(i);
    if (c === undefined) return;
    if (c <= 1) this.counts.delete(i); else this.counts.set(i, c - 1);
  }

  /** Isolated and put back on the unevictable LRU: mlock_count = 0, still PG_mlocked. */
  resetCount(i: number): void { if (this.counts.has(i)) this.counts.set(i, 0); }

  /** The folios of [start, end) left (freed, truncated, punched): nothing is mlocked any more. */
  remove(start: number, end: number): void {
    if (this.counts.size === 0) return;
    if (end - start <= this.counts.size) { for (let i = start; i < end; i++) this.counts.delete(i); return; }
    for (const i of [...this.counts.keys()]) if (i >= start && i < end) this.counts.delete(i);
  }
}
