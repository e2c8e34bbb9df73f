// An ordered list of items with disjoint integer keys, stored as a list of
// chunks (a two-level B+tree). Lookups are two binary searches; inserts and
// removals splice one chunk of at most MAX items, so their cost stays flat from
// ten items to a million (a plain sorted array would move half the array).
// Used for the VMA tree (vma-tree.ts) and for page-table runs (pages.ts).

const MAX = 128;
const MIN = 32;

/**
 * Optional per-chunk summary (e.g. the largest free gap, like the maple tree's
 * gap tracking): computed from a chunk's items and the item just before the
 * chunk, cached, and recomputed after the chunk or its predecessor changed.
 */
export type ChunkSummary<T> = (items: readonly T[], before: T | undefined) => number;

export class ChunkedList<T> {
  private chunks: T[][] = [];
  /** keys[c][i] = keyOf(chunks[c][i]), kept beside the items so searches compare plain numbers. */
  private keys: number[][] = [];
  /** Key of chunks[c][0]. Invariant: strictly increasing, chunks never empty. */
  private mins: number[] = [];
  /** Cached summaries; NaN: stale. Spliced together with chunks. */
  private sums: number[] = [];
  private n = 0;

  constructor(private readonly keyOf: (t: T) => number, private readonly summary?: ChunkSummary<T>) {}

  /** Mark the chunk holding key k (and the next one, whose summary reads its last item) stale. */
  touch(k: number): void {
    if (!this.summary) return;
    const c = Math.max(0, this.chunkFloor(k));
    this.sums[c] = NaN;
    if (c + 1 < this.sums.length) this.sums[c + 1] = NaN;
  }

  private summaryOf(c: number): number {
    let s = this.sums[c]!;
    if (Number.isNaN(s)) {
      const prev = this.chunks[c - 1];
      s = this.summary!(this.chunks[c]!, prev ? prev[prev.length - 1] : undefined);
      this.sums[c] = s;
    }
    return s;
  }

  /**
   * Visit items in descending key order from the last item with key <= k, skipping
   * whole chunks whose summary fails `want` (their items are not visited). fn gets
   * the item and the one before it; returning true stops the walk.
   */
  scanDown(k: number, want: (summary: number) => boolean, fn: (t: T, before: T | undefined) => boolean): void {
    let c = this.chunkFloor(k);
    if (c < 0) return;
    let i = this.itemFloor(c, k);
    let first = true;
    for (; c >= 0; c--, first = false) {
      const ch = this.chunks[c]!;
      if (!first) { if (this.summary && !want(this.summaryOf(c))) continue; i = ch.length - 1; }
      for (; i >= 0; i--) {
        const before = i > 0 ? ch[i - 1] : this.chunks[c - 1]?.[this.chunks[c - 1]!.length - 1];
        if (fn(ch[i]!, before)) return;
      }
    }
  }

  get size(): number { return this.n; }

  /** Index of the last chunk whose first key <= k, or -1. */
  private chunkFloor(k: number): number {
    const m = this.mins;
    let lo = 0, hi = m.length - 1, ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (m[mid]! <= k) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  /** Index in chunk c of the last item with key <= k, or -1. */
  private itemFloor(c: number, k: number): number {
    const ks = this.keys[c]!;
    let lo = 0, hi = ks.length - 1, ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ks[mid]! <= k) { ans = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return ans;
  }

  private staleAround(c: number): void {
    for (let d = Math.max(0, c); d <= c + 2 && d < this.sums.length; d++) this.sums[d] = NaN;
  }

  /** The last item with key <= k. */
  floor(k: number): T | undefined {
    const c = this.chunkFloor(k);
    if (c < 0) return undefined;
    return this.chunks[c]![this.itemFloor(c, k)];
  }

  /** The first item with key > k. */
  higher(k: number): T | undefined {
    const c = this.chunkFloor(k);
    if (c < 0) return this.chunks[0]?.[0];
    const ch = this.chunks[c]!;
    const i = this.itemFloor(c, k) + 1;
    if (i < ch.length) return ch[i];
    return this.chunks[c + 1]?.[0];
  }

  /** The first item with key >= k. */
  ceil(k: number): T | undefined { return this.higher(k - 1); }

  /** The last item with key < k. */
  lower(k: number): T | undefined { return this.floor(k - 1); }

  first(): T | undefined { return this.chunks[0]?.[0]; }
  last(): T | undefined { const ch = this.chunks[this.chunks.length - 1]; return ch?.[ch.length - 1]; }

  insert(t: T): void {
    const k = this.keyOf(t);
    this.n++;
    if (this.chunks.length === 0) { this.chunks.push([t]); this.keys.push([k]); this.mins.push(k); this.sums.push(NaN); return; }
    let c = this.chunkFloor(k);
    if (c < 0) c = 0;
    const ch = this.chunks[c]!, ks = this.keys[c]!;
    const i = this.itemFloor(c, k) + 1;
    // Appending (sequential inserts) needs no splice and its result array.
    if (i === ch.length) { ch.push(t); ks.push(k); } else { ch.splice(i, 0, t); ks.splice(i, 0, k); }
    this.mins[c] = ks[0]!;
    if (ch.length > MAX) {
      const tail = ch.splice(MAX >> 1), tailKeys = ks.splice(MAX >> 1);
      this.chunks.splice(c + 1, 0, tail);
      this.keys.splice(c + 1, 0, tailKeys);
      this.mins.splice(c + 1, 0, tailKeys[0]!);
      this.sums.splice(c + 1, 0, NaN);
    }
    this.staleAround(c);
  }

  /** Remove the item whose key is exactly k; returns it. */
  remove(k: number): T | undefined {
    const c = this.chunkFloor(k);
    if (c < 0) return undefined;
    const ch = this.chunks[c]!, ks = this.keys[c]!;
    const i = this.itemFloor(c, k);
    if (i < 0 || ks[i] !== k) return undefined;
    let t: T;
    if (i === ch.length - 1) { t = ch.pop()!; ks.pop(); } else { t = ch.splice(i, 1)[0]!; ks.splice(i, 1); }
    this.n--;
    if (ch.length === 0) {
      this.chunks.splice(c, 1); this.keys.splice(c, 1); this.mins.splice(c, 1); this.sums.splice(c, 1);
      this.staleAround(c - 1);
      return t;
    }
    this.mins[c] = ks[0]!;
    this.staleAround(c);
    if (ch.length < MIN && this.chunks.length > 1) {
      // Join with a neighbour; split again if the join is too big.
      const j = c > 0 ? c - 1 : c + 1;
      const [a, b] = j < c ? [j, c] : [c, j];
      const joined = this.chunks[a]!.concat(this.chunks[b]!);
      const joinedKeys = this.keys[a]!.concat(this.keys[b]!);
      if (joined.length > MAX) {
        const half = joined.length >> 1;
        this.chunks[a] = joined.slice(0, half); this.chunks[b] = joined.slice(half);
        this.keys[a] = joinedKeys.slice(0, half); this.keys[b] = joinedKeys.slice(half);
        this.mins[a] = this.keys[a]![0]!; this.mins[b] = this.keys[b]![0]!;
      } else {
        this.chunks.splice(a, 2, joined); this.keys.splice(a, 2, joinedKeys);
        this.mins.splice(a, 2, joinedKeys[0]!); this.sums.splice(a, 2, NaN);
      }
      this.staleAround(a); this.staleAround(a + 1);
    }
    return t;
  }

  /** Index in its chunk of the item seek() found (a field, so range walks allocate nothing). */
  private seekIndex = 0;
  /** The chunk holding the first item with key >= lo (its index: seekIndex; past the end: none). */
  private seek(lo: number): number {
    const c = this.chunkFloor(lo);
    if (c < 0) { this.seekIndex = 0; return 0; }
    let i = this.itemFloor(c, lo);
    if (i < 0 || this.keys[c]![i]! < lo) i++;
    this.seekIndex = i;
    return c;
  }

  /** Call fn on each item with key in [lo, hi), in order. fn must not mutate the list. */
  forRange(lo: number, hi: number, fn: (t: T) => void): void {
    let c = this.seek(lo), i = this.seekIndex;
    for (; c < this.chunks.length; c++, i = 0) {
      const ch = this.chunks[c]!, ks = this.keys[c]!;
      for (; i < ch.length; i++) {
        if (ks[i]! >= hi) return;
        fn(ch[i]!);
      }
    }
  }

  /** Append the items with key in [lo, hi) to out, in order (forRange without a callback). */
  rangeInto(lo: number, hi: number, out: T[]): void {
    let c = this.seek(lo), i = this.seekIndex;
    for (; c < this.chunks.length; c++, i = 0) {
      const ch = this.chunks[c]!, ks = this.keys[c]!;
      for (; i < ch.length; i++) {
        if (ks[i]! >= hi) return;
        out.push(ch[i]!);
      }
    }
  }

  forEach(fn: (t: T) => void): void { for (const ch of this.chunks) for (const t of ch) fn(t); }

  toArray(): T[] { const out: T[] = []; this.forEach((t) => out.push(t)); return out; }

  /** Structural check for invariants.ts. */
  check(): string | null {
    let count = 0, prev = -Infinity;
    for (let c = 0; c < this.chunks.length; c++) {
      const ch = this.chunks[c]!;
      if (ch.length === 0) return 'empty chunk';
      if (this.mins[c] !== this.keyOf(ch[0]!)) return `chunk ${c} min key stale`;
      for (let i = 0; i < ch.length; i++) {
        const k = this.keyOf(ch[i]!);
        if (k !== this.keys[c]![i]) return `stale key at ${k}: an item's key changed while it was in the list`;
        if (!(k > prev)) return `keys not increasing at ${k}`;
        prev = k; count++;
      }
    }
    return count === this.n ? null : `size ${this.n} != ${count}`;
  }
}
