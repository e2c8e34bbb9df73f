// Sets of page indexes stored as sorted disjoint half-open intervals [start, end),
// never as per-page arrays: a 1 TiB mapping with a few resident pages costs a few
// intervals. Backed by ChunkedList, so operations are O(log n + touched intervals).
import { ChunkedList } from './chunked-list.js';

export interface Interval { start: number; end: number }

export class IntervalSet {
  private list = new ChunkedList<Interval>((i) => i.start);
  private total = 0;

  /** Number of indexes in the set. */
  get count(): number { return this.total; }
  get intervals(): number { return this.list.size; }

  has(i: number): boolean {
    const f = this.list.floor(i);
    return f !== undefined && i < f.end;
  }

  add(start: number, end: number): void {
    if (start >= end) return;
    this.remove(start, end);
    let s = start, e = end;
    const prev = this.list.floor(start - 1);
    if (prev && prev.end === start) { s = prev.start; this.list.remove(prev.start); this.total -= prev.end - prev.start; }
    const next = this.list.ceil(end);
    if (next && next.start === end) { e = next.end; this.list.remove(next.start); this.total -= next.end - next.start; }
    this.list.insert({ start: s, end: e });
    this.total += e - s;
  }

  remove(start: number, end: number): void {
    if (start >= end) return;
    const hits: Interval[] = [];
    const f = this.list.floor(start);
    if (f && f.end > start) hits.push(f);
    this.list.forRange(start + 1, end, (i) => { if (i !== f) hits.push(i); });
    for (const h of hits) {
      this.list.remove(h.start);
      this.total -= h.end - h.start;
      if (h.start < start) { this.list.insert({ start: h.start, end: start }); this.total += start - h.start; }
      if (h.end > end) { this.list.insert({ start: end, end: h.end }); this.total += h.end - end; }
    }
  }

  /** Calls fn with each maximal sub-interval of [start, end) inside the set, in order. */
  forEachIn(start: number, end: number, fn: (s: number, e: number) => void): void {
    const f = this.list.floor(start);
    if (f && f.end > start) fn(start, Math.min(f.end, end));
    this.list.forRange(start + 1, end, (i) => { if (i !== f) fn(i.start, Math.min(i.end, end)); });
  }

  countIn(start: number, end: number): number {
    let n = 0;
    this.forEachIn(start, end, (s, e) => { n += e - s; });
    return n;
  }

  /** The first index >= i that is in the set, or undefined. */
  nextIn(i: number): number | undefined {
    const f = this.list.floor(i);
    if (f && f.end > i) return i;
    return this.list.higher(i)?.start;
  }

  toArray(): Array<[number, number]> { return this.list.toArray().map((i) => [i.start, i.end]); }

  clone(): IntervalSet {
    const c = new IntervalSet();
    this.list.forEach((i) => c.add(i.start, i.end));
    return c;
  }
}
