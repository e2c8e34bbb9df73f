// Splitting an anonymous THP folio (linux-6.18): mm/huge_memory.c:__folio_split
// unmaps the folio, splits it into order-0 folios and remaps them with
// RMP_USE_SHARED_ZEROPAGE: mm/migrate.c:try_to_map_unused_to_zeropage maps the
// shared zero page instead of every subpage that is all zeros, unless the folio is
// mlocked or the mapping VMA is VM_LOCKED (b1f202060afe, v6.12). The zero page does
// not count in Rss, so a THP of which one page was written drops to Rss 4 kB.
// mm_forbids_zeropage is an s390 hook: a machine whose read faults do not map the
// zero page (pvm_no_zero_page=1) still remaps here (observed on 6.18.44).
//
// Who splits (observed on 6.18.44 without swap):
// - MADV_FREE, MADV_COLD, MADV_PAGEOUT over part of an exclusive folio
//   (madvise_free_huge_pmd, madvise_free_pte_range, madvise_cold_or_pageout_pte_range:
//   "split it so [the advice] will deactivate only them"), PMD- or PTE-mapped;
// - MADV_PAGEOUT of a whole one that is not lazyfree: shrink_folio_list's
//   folio_alloc_swap fails without swap and it falls back to split_folio_to_list.
// A folio another mapping shares (folio_maybe_mapped_shared, after fork) is skipped.
// A whole-folio MADV_FREE marks it lazyfree and MADV_COLD only deactivates it.
//
// Model: an anonymous THP is MemObject.largeFolios[head] = 512 from its fault
// (runtime/huge-memory.ts) until split here; a PMD split (mprotect, mlock, partial
// munmap) keeps it large, PTE-mapped, as the kernel does until the folio is split.
import { folioAt } from './folios.js';
import { splitHugePmdBlock } from './huge-memory.js';
import type { Mm } from './mm.js';
import { ZERO_PAGE, type MemObject } from './pages.js';
import type { Run } from './page-table.js';
import { VM_LOCKED } from './vma.js';

export type SplitAdvice = 'free' | 'cold' | 'pageout';

interface Folio { obj: MemObject; head: number; pages: number }

/** The large anonymous folios [s, e) of mm maps, each once. */
function foliosIn(mm: Mm, s: number, e: number): Folio[] {
  const out: Folio[] = [];
  const seen = new Set<string>();
  mm.pt.forEachIn(s, e, (a, b, obj, base) => {
    if (!obj.isAnon || obj.largeFolios.size === 0) return;
    for (let idx = base; idx < base + b - a;) {
      const [h, n] = folioAt(obj, idx);
      if (n > 1 && !seen.has(`${obj.id}:${h}`)) { seen.add(`${obj.id}:${h}`); out.push({ obj, head: h, pages: n }); }
      idx = h + n;
    }
  });
  return out;
}

/** Where mm maps pages of the folio: runs clipped to it. */
function mappings(mm: Mm, f: Folio): Run[] {
  const out: Run[] = [];
  for (const r of mm.pt.allRuns()) {
    if (r.obj !== f.obj) continue;
    const lo = Math.max(r.base, f.head), hi = Math.min(r.base + r.end - r.start, f.head + f.pages);
    if (lo < hi) out.push({ start: r.start + lo - r.base, end: r.start + hi - r.base, obj: f.obj, base: lo });
  }
  return out;
}

/**
 * The large anonymous folio holding each page, if another mapping shares it
 * (folio_maybe_mapped_shared): a test for pages of mm, one rmap look per folio.
 * Order-0 pages answer false; their sharing is the caller's per-page mapcount.
 */
export function sharedLargeFolioTest(mm: Mm): (obj: MemObject, idx: number) => boolean {
  const seen = new Map<string, boolean>();
  return (obj, idx) => {
    if (!obj.isAnon || obj.largeFolios.size === 0) return false;
    const [head, pages] = folioAt(obj, idx);
    if (pages === 1) return false;
    const key = `${obj.id}:${head}`;
    let shared = seen.get(key);
    if (shared === undefined) seen.set(key, (shared = mappedShared(mm, { obj, head, pages })));
    return shared;
  };
}

/** folio_maybe_mapped_shared: another page table (a fork) maps one of its pages. */
function mappedShared(mm: Mm, f: Folio): boolean {
  if (f.obj.externalMapcount > 0) return true;
  for (const t of f.obj.tables) {
    if (t === mm.pt) continue;
    for (const [lo, hi] of t.indexRangesOf(f.obj)) if (lo < f.head + f.pages && hi > f.head) return true;
  }
  return false;
}

/**
 * madvise FREE/COLD/PAGEOUT of [s, e), all inside one VMA: split the exclusive large
 * anonymous folios there that the advice splits (see above), before the advice works
 * on the order-0 pages left.
 */
export function splitForMadvise(mm: Mm, s: number, e: number, advice: SplitAdvice): void {
  for (const f of foliosIn(mm, s, e)) {
    if (mappedShared(mm, f)) continue;
    const runs = mappings(mm, f);
    const whole = runs.reduce((n, r) => n + r.end - r.start, 0) === f.pages && runs.every((r) => r.start >= s && r.end <= e)
      && runs.every((r) => mm.vmas.lookup(r.start) === mm.vmas.lookup(runs[0]!.start));
    if (whole && advice !== 'pageout') continue;
    if (whole && allLazyfree(mm, f, runs)) continue; // discarded whole by reclaim (runtime/lazyfree.ts)
    splitFolio(mm, f, runs);
  }
}

function allLazyfree(mm: Mm, f: Folio, runs: Run[]): boolean {
  for (const r of runs) for (let i = 0; i < r.end - r.start; i++) if (!f.obj.lazyfree.get(r.base + i)?.has(mm.pt)) return false;
  return true;
}

/** __folio_split + remap_page(RMP_USE_SHARED_ZEROPAGE). */
function splitFolio(mm: Mm, f: Folio, runs: Run[]): void {
  f.obj.largeFolios.delete(f.head);
  for (const r of runs) splitHugePmdBlock(mm, r.start);
  for (let i = f.head; i < f.head + f.pages; i++) if (f.obj.strandedMlock.has(i)) return; // folio_test_mlocked
  for (const r of runs) {
    for (let vpn = r.start; vpn < r.end; vpn++) {
      const idx = r.base + vpn - r.start;
      if (!f.obj.pageIsZero(idx) || (mm.vmas.lookup(vpn)?.flags ?? VM_LOCKED) & VM_LOCKED) continue;
      mm.pt.map(vpn, vpn + 1, ZERO_PAGE, vpn);
      f.obj.lazyfree.delete(idx);
    }
  }
}
