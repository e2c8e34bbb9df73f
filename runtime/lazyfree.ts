// Lazily freed anonymous pages (linux-6.18): mm/madvise.c:madvise_free_pte_range
// clears the dirty (and young) bit of each PTE it walks and calls
// mm/swap.c:folio_mark_lazyfree, which clears PG_swapbacked. Nothing is freed
// then: the pages stay mapped, Rss unchanged, their data readable. Reclaim frees
// them without writing them anywhere — there is no swap on the test machine, and
// none is needed: mm/vmscan.c:shrink_folio_list does not add_to_swap a folio that
// is anon && !swapbacked, and mm/rmap.c:try_to_unmap_one discards it
// ("if (!folio_test_swapbacked(folio))": dec MM_ANONPAGES, goto discard) when it
// is not dirty and nothing but its mappings holds a reference. A dirty PTE (a
// write after MADV_FREE) makes try_to_unmap_one set PG_swapbacked again and keep
// the folio: the lazy free is cancelled.
//
// MADV_PAGEOUT is the reclaim the model runs (madvise_cold_or_pageout_pte_range
// -> reclaim_pages -> shrink_folio_list): it takes only folios mapped once
// (folio_maybe_mapped_shared), so a page a fork left shared survives it.
// A large folio (THP) is judged whole: one another mm still maps any page of is
// neither made lazyfree by MADV_FREE nor reclaimed by PAGEOUT, not even its pages
// only this mm maps (observed on 6.18.44, fuzz seed 25 #1007: a THP shared with a
// fork child that MADV_DONTNEEDed most of it keeps LazyFree 0 kB after the parent's
// MADV_FREE and Rss 2048 kB, AnonHugePages 2048 kB after its PAGEOUT).
// Observed on 6.18.44 (no swap): after MADV_FREE, PAGEOUT leaves Rss 0, mincore
// not resident, and a later read returns 0 from a new page; a write after
// MADV_FREE, MADV_POPULATE_WRITE or mlock of a writable VMA (GUP with FOLL_WRITE |
// FOLL_TOUCH marks the folio dirty, mm/gup.c:follow_page_pte) keeps the page
// and its data; a read, MADV_POPULATE_READ, MADV_COLD, mlock + munlock of a
// read-only VMA, mprotect and mremap do not. After a fork the child's PTE copies
// the parent's (copy_present_pte keeps the dirty bit): a page the child made
// lazyfree is kept when the parent pages it out after the child exits (the
// parent's PTE is still dirty), one the parent made lazyfree before or after the
// fork is discarded once only one mapping is left.
//
// A folio mremap MREMAP_DONTUNMAP left mlocked in its unlocked source VMA stays
// unevictable (observed on 6.18.44: MADV_FREE then MADV_PAGEOUT keep it, also
// after an mlock + munlock of it; fuzz seed 20261206): folio_mark_lazyfree skips
// it and shrink_folio_list keeps it.
//
// Model: MemObject.lazyfree, index -> the page tables whose PTE for it is clean.
// A page goes at PAGEOUT when it is lazyfree, mapped once, by a clean PTE of this
// mm, not stranded mlocked, and not pinned (a pin's extra reference fails try_to_unmap_one's
// ref_count == 1 + map_count test).
import type { Mm } from './mm.js';
import type { PageTable } from './page-table.js';
import type { MemObject } from './pages.js';
import { sharedLargeFolioTest } from './folio-split.js';
import { beforeZap } from './huge-memory.js';
import { mapcount } from './rmap.js';

/** mm/madvise.c:madvise_free_pte_range over [s, e) of mm: the anonymous pages mapped there become lazyfree. */
export function madviseFreeRange(mm: Mm, s: number, e: number): void {
  const pt = mm.pt;
  const sharedLarge = sharedLargeFolioTest(mm);
  pt.forEachIn(s, e, (a, b, obj, base) => {
    if (!obj.isAnon) return; // the zero page, guard markers: vm_normal_folio is NULL
    for (let i = 0; i < b - a; i++) {
      const idx = base + i;
      // A large folio another mm maps is left alone, its pages not made lazyfree:
      // madvise_free_huge_pmd and madvise_free_pte_range skip it (folio_maybe_mapped_shared;
      // for one covered whole by PTEs, its dirty folio's mapcount != nr_pages).
      if (sharedLarge(obj, idx)) continue;
      // folio_mark_lazyfree skips an unevictable folio: one mremap DONTUNMAP left mlocked.
      if (obj.strandedMlock.has(idx)) continue;
      let clean = obj.lazyfree.get(idx);
      if (!clean) obj.lazyfree.set(idx, (clean = new Set()));
      clean.add(pt);
    }
  });
}

/**
 * A write through a PTE of anonymous page idx mapped only there (do_wp_page reusing
 * it, a CPU write setting the dirty bit, GUP with FOLL_WRITE | FOLL_TOUCH): the page
 * is dirty, so reclaim will set PG_swapbacked again and keep it.
 */
export function lazyfreeCancel(obj: MemObject, idx: number): void {
  if (obj.lazyfree.size !== 0) obj.lazyfree.delete(idx);
}

/** copy_present_pte: the child's PTE for [base, base + n) of obj is clean where the parent's is. */
export function lazyfreeFork(parent: PageTable, child: PageTable, obj: MemObject, base: number, n: number): void {
  if (obj.lazyfree.size === 0) return;
  for (let i = 0; i < n; i++) {
    const clean = obj.lazyfree.get(base + i);
    if (clean?.has(parent)) clean.add(child);
  }
}

/**
 * MADV_PAGEOUT's reclaim of the lazyfree pages of [s, e) (shrink_folio_list ->
 * try_to_unmap_one -> discard): unmapped, their data gone; the PTE table stays.
 */
export function reclaimLazyfree(mm: Mm, s: number, e: number): void {
  const pt = mm.pt;
  const sharedLarge = sharedLargeFolioTest(mm);
  const victims: Array<{ vpn: number; obj: MemObject; idx: number }> = [];
  pt.forEachIn(s, e, (a, b, obj, base) => {
    if (!obj.isAnon || obj.lazyfree.size === 0) return;
    for (let i = 0; i < b - a; i++) {
      const vpn = a + i, idx = base + i;
      if (!obj.lazyfree.get(idx)?.has(pt) || mapcount(obj, idx) !== 1) continue;
      // madvise_cold_or_pageout_pte_range isolates no large folio another mm maps
      // (folio_maybe_mapped_shared, or mapcount != nr_pages), even through the pages
      // only this mm still maps: it stays whole, its lazyfree pages kept.
      if (sharedLarge(obj, idx)) continue;
      // shrink_folio_list keeps an mlocked folio (folio_evictable), lazyfree or not.
      if (obj.strandedMlock.has(idx)) continue;
      if (mm.pins.some((p) => vpn >= p.start && vpn < p.end)) continue;
      victims.push({ vpn, obj, idx });
    }
  });
  // Contiguous victims go together, so a PMD block discarded whole is not split first.
  for (let i = 0; i < victims.length;) {
    let j = i + 1;
    while (j < victims.length && victims[j]!.vpn === victims[j - 1]!.vpn + 1) j++;
    const from = victims[i]!.vpn, to = victims[j - 1]!.vpn + 1;
    beforeZap(mm, from, to);
    pt.unmap(from, to);
    for (let k = i; k < j; k++) {
      const { obj, idx } = victims[k]!;
      obj.lazyfree.delete(idx);
      obj.dropContents(idx, idx + 1);
    }
    i = j;
  }
}
