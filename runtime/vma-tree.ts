// Linux: the maple tree of VMAs (mm->mm_mt, lib/maple_tree.c) and its helpers
// find_vma / find_vma_intersection / vma_prev / vma_next (mm/mmap.c, linux-6.18).
// Model: a ChunkedList keyed by vm_start, O(log n) lookups. A VMA's start is its
// key, so every change of start goes through setStart().
import { ChunkedList } from './chunked-list.js';
import { STACK_GUARD_GAP_PAGES } from './constants.js';
import { VM_GROWSDOWN, type Vma } from './vma.js';

/** mm/mmap.c:vm_start_gap: a growsdown VMA keeps stack_guard_gap free below it. */
export function vmStartGap(v: Vma): number {
  return v.flags & VM_GROWSDOWN ? Math.max(0, v.start - STACK_GUARD_GAP_PAGES) : v.start;
}

/**
 * Largest free gap ending at an item of the chunk (the maple tree's gap
 * tracking): raw gaps, guard gaps not subtracted, as mas_empty_area_rev sees them.
 */
function maxGap(items: readonly Vma[], before: Vma | undefined): number {
  let g = 0, lo = before ? before.end : 0;
  for (const v of items) { g = Math.max(g, v.start - lo); lo = v.end; }
  return g;
}

export class VmaTree {
  private list = new ChunkedList<Vma>((v) => v.start, maxGap);

  /** mm->map_count. */
  get count(): number { return this.list.size; }

  /** find_vma: the first VMA with end > vpn. */
  find(vpn: number): Vma | undefined {
    const f = this.list.floor(vpn);
    if (f && f.end > vpn) return f;
    return this.list.higher(vpn);
  }

  /** The VMA containing vpn (vma_lookup). */
  lookup(vpn: number): Vma | undefined {
    const f = this.list.floor(vpn);
    return f && f.end > vpn ? f : undefined;
  }

  /** find_vma_intersection: the first VMA overlapping [start, end). */
  intersection(start: number, end: number): Vma | undefined {
    const v = this.find(start);
    return v && v.start < end ? v : undefined;
  }

  prev(v: Vma): Vma | undefined { return this.list.lower(v.start); }
  next(v: Vma): Vma | undefined { return this.list.higher(v.start); }
  /** The last VMA starting before vpn (vma_prev of a gap). */
  before(vpn: number): Vma | undefined { return this.list.lower(vpn); }
  first(): Vma | undefined { return this.list.first(); }
  last(): Vma | undefined { return this.list.last(); }

  insert(v: Vma): void { this.list.insert(v); }
  remove(v: Vma): void {
    const r = this.list.remove(v.start);
    if (r !== v) throw new Error(`vma-tree: removing a VMA that is not in the tree at page ${v.start}`);
  }
  setStart(v: Vma, start: number): void { this.remove(v); v.start = start; this.insert(v); }
  /** Every change of vm_end goes through here so gap summaries stay exact. */
  setEnd(v: Vma, end: number): void { v.end = end; this.list.touch(v.start); }

  /**
   * mm/vma.c:unmapped_area_topdown (6.18): the highest page p with [p, p+len)
   * free, low <= p and p+len <= high. -1: none. The kernel takes the highest
   * free range of len pages as the maple tree records it (raw, guard gaps not
   * subtracted); when the VMA just above that range grows down and its guard gap
   * reaches into it, it searches again below vm_start_gap of that VMA. So every
   * free range within stack_guard_gap below a growsdown VMA is skipped once the
   * range right under it is big enough to be found, even ranges that other VMAs
   * separate from it; a smaller range right under it is passed over and does not
   * hide the ones below (observed on 6.18.44: scenarios/fuzz/mmap-topdown-guard-retry.mls).
   */
  gapTopDown(len: number, low: number, high: number): number {
    for (let hi = high; ;) {
      const end = this.highestFree(len, low, hi);
      if (end < 0) return -1;
      const next = this.list.ceil(end);
      if (next && next.flags & VM_GROWSDOWN && vmStartGap(next) < end) { hi = vmStartGap(next); continue; }
      return end - len;
    }
  }

  /** vma_iter_area_highest: the end of the highest free range of at least len pages in [low, high), clipped to high. -1: none. */
  private highestFree(len: number, low: number, high: number): number {
    let found = -1;
    const fits = (lo: number, hi: number): boolean => {
      const l = Math.max(lo, low), h = Math.min(hi, high);
      if (h - l >= len) { found = h; return true; }
      return false;
    };
    const above = this.list.ceil(high);
    let from: number;
    if (above) from = above.start;
    else {
      const last = this.list.floor(high - 1);
      if (fits(last ? last.end : 0, high)) return found;
      if (!last) return -1;
      from = last.start;
    }
    this.list.scanDown(from, (g) => g >= len, (v, before) => fits(before ? before.end : 0, v.start) || v.start <= low);
    return found;
  }

  /** VMAs overlapping [start, end), snapshotted (callers may mutate the tree). */
  overlapping(start: number, end: number): Vma[] {
    const out: Vma[] = [];
    const f = this.list.floor(start);
    if (f && f.end > start) out.push(f);
    // Keys in [start + 1, end): f (key <= start) is never among them.
    this.list.rangeInto(start + 1, end, out);
    return out;
  }

  forEach(fn: (v: Vma) => void): void { this.list.forEach(fn); }
  toArray(): Vma[] { return this.list.toArray(); }
  check(): string | null { return this.list.check(); }
}
