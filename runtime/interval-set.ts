// Sets of page indexes stored as sorted disjoint half-open intervals [start, end),
// never as per-page arrays: a 1 TiB mapping with a few resident pages costs a few
// intervals. Backed by ChunkedList, so operations are O(log n + touched intervals).
// Intervals never touch (adjacent ones are joined), so a set has one representation.
// Growing an interval in place (the usual add: sequential faults, readahead) splices
// nothing; the list itself is made on first use (most page objects never need one).
import { ChunkedList } from './chunked-list.js';

export interface Interval { start: number; end: number }

const startOf = (i: Interval): number => i.start;

export class IntervalSet {
  private lazy: ChunkedList<Interval> | null = null;
  private total = 0;

  private get list(): ChunkedList<Interval> { return (this.lazy ??= new ChunkedList<Interval>(startOf)); }

  /** Number of indexes in the set. */
  get count(): number { return this.total; }
  get intervals(): number { return this.lazy ? this.lazy.size : 0; }

  has(i: number): boolean {
    if (!this.lazy) return false;
    const f = this.lazy.floor(i);
    return f !== undefined && i < f.end;
  }

  add(start: number, end: number): void {
    if (start >= end) return;
    const list = this.list;
    // An interval overlapping or touching [start, end) from the left grows in place.
    const f = list.floor(start);
    const base = f && f.end >= start ? f : undefined;
    let e = base ? Math.max(base.end, end) : end;
    // Intervals starting inside or right at the end of the new one are absorbed.
    for (let nx = list.higher(base ? base.start : start); nx && nx.start <= e; nx = list.higher(nx.start)) {
      e = Math.max(e, nx.end);
      list.remove(nx.start);
      this.total -= nx.end - nx.start;
    }
    if (base) { this.total += e - base.end; base.end = e; }
    else { list.insert({ start, end: e }); this.total += e - start; }
  }

  remove(start: number, end: number): void {
    if (start >= end || !this.lazy) return;
    const list = this.lazy;
    let h = list.floor(start);
    if (!h || h.end <= start) h = list.higher(start);
    while (h && h.start < end) {
      if (h.start < start) {
        // Its head stays; a tail past end becomes an interval of its own.
        if (h.end > end) { list.insert({ start: end, end: h.end }); this.total -= end - start; h.end = start; return; }
        this.total -= h.end - start;
        h.end = start;
      } else {
        list.remove(h.start);
        if (h.end > end) { list.insert({ start: end, end: h.end }); this.total -= end - h.start; return; }
        this.total -= h.end - h.start;
      }
      h = list.higher(h.start);
    }
  }

  /** Calls fn with each maximal sub-interval of [start, end) inside the set, in order. */
  forEachIn(start: number, end: number, fn: (s: number, e: number) => void): void {
    if (!this.lazy) return;
    const list = this.lazy;
    const f = list.floor(start);
    if (f && f.end > start) fn(start, Math.min(f.end, end));
    list.forRange(start + 1, end, (i) => { if (i !== f) fn(i.start, Math.min(i.end, end)); });
  }

  countIn(start: number, end: number): number {
    let n = 0;
    this.forEachIn(start, end, (s, e) => { n += e - s; });
    return n;
  }

  /** The first index >= i that is in the set, or undefined. */
  nextIn(i: number): number | undefined {
    if (!this.lazy) return undefined;
    const f = this.lazy.floor(i);
    if (f && f.end > i) return i;
    return this.lazy.higher(i)?.start;
  }

  toArray(): Array<[number, number]> { return this.lazy ? this.lazy.toArray().map((i) => [i.start, i.end]) : []; }

  clone(): IntervalSet {
    const c = new IntervalSet();
    this.lazy?.forEach((i) => c.add(i.start, i.end));
    return c;
  }
}
