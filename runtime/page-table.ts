// One mm's page table. Linux: a radix tree of page tables (pgd/p4d/pud/pmd/pte);
// a PTE page covers 512 pages (one PMD). Model: a Map from PMD index to that
// PMD's runs — sorted, disjoint [start, end) page ranges mapping consecutive
// indexes of one MemObject from `base` — so a fault costs one Map lookup plus a
// search among a PMD's few runs, whatever the mapping's size; runs never cross
// a PMD boundary. Range walks visit the populated PMDs in order (a sorted key
// list, rebuilt only when PMDs come or go). RSS counters change here and only here.
import { PTRS_PER_PTE } from './constants.js';
import type { MemObject, RmapTable } from './pages.js';

export interface Run { start: number; end: number; obj: MemObject; base: number }
export interface RssCounters { anon: number; file: number; shmem: number }
type Piece = (s: number, e: number, obj: MemObject, base: number) => void;

const B = PTRS_PER_PTE;
const blk = (vpn: number): number => Math.floor(vpn / B);

/** Index of the last run in rs with start <= vpn, or -1. */
function floorIdx(rs: readonly Run[], vpn: number): number {
  let lo = 0, hi = rs.length - 1, ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rs[mid]!.start <= vpn) { ans = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return ans;
}

export class PageTable implements RmapTable {
  private blocks = new Map<number, Run[]>();
  private sorted: number[] | null = [];
  private nRuns = 0;
  /** MM_ANONPAGES / MM_FILEPAGES / MM_SHMEMPAGES (include/linux/mm_types_task.h), in pages. */
  readonly rss: RssCounters = { anon: 0, file: 0, shmem: 0 };
  /** Every object this table has pointed into since it was created (the rmap's other half). */
  readonly objects = new Set<MemObject>();

  get runCount(): number { return this.nRuns; }

  private account(obj: MemObject, n: number): void {
    if (!obj.countsRss) return;
    if (obj.kind === 'anon') this.rss.anon += n;
    else if (obj.kind === 'shmem' || obj.kind === 'secretmem') this.rss.shmem += n;
    else this.rss.file += n;
  }

  /** Populated PMD indexes in [lo, hi], ascending. */
  private blocksIn(lo: number, hi: number): number[] {
    if (hi - lo + 1 <= 4 * this.blocks.size + 64) {
      const out: number[] = [];
      for (let k = lo; k <= hi; k++) if (this.blocks.has(k)) out.push(k);
      return out;
    }
    if (!this.sorted) this.sorted = [...this.blocks.keys()].sort((a, b) => a - b);
    const ks = this.sorted;
    let i = 0, j = ks.length;
    while (i < j) { const m = (i + j) >> 1; if (ks[m]! < lo) i = m + 1; else j = m; }
    const out: number[] = [];
    for (; i < ks.length && ks[i]! <= hi; i++) out.push(ks[i]!);
    return out;
  }

  private insertRun(r: Run): void {
    const k = blk(r.start);
    let rs = this.blocks.get(k);
    if (!rs) { rs = []; this.blocks.set(k, rs); this.sorted = null; }
    rs.splice(floorIdx(rs, r.start) + 1, 0, r);
    this.nRuns++;
  }

  /** The run covering vpn, if any. */
  lookup(vpn: number): Run | undefined {
    const rs = this.blocks.get(blk(vpn));
    if (!rs) return undefined;
    const r = rs[floorIdx(rs, vpn)];
    return r && vpn < r.end ? r : undefined;
  }

  /**
   * The hot path of anonymous write faults, with one PMD lookup: the run mapping
   * vpn if there is one (lastFresh = false), else a new one-page run of obj at
   * index alloc() (lastFresh = true).
   */
  lookupOrMapOne(vpn: number, obj: MemObject, alloc: () => number): Run {
    const k = blk(vpn);
    let rs = this.blocks.get(k);
    const i = rs ? floorIdx(rs, vpn) : -1;
    const prev = rs && i >= 0 ? rs[i]! : undefined;
    if (prev && vpn < prev.end) { this.lastFresh = false; return prev; }
    this.lastFresh = true;
    const base = alloc();
    if (!this.objects.has(obj)) { this.objects.add(obj); obj.tables.add(this); }
    this.account(obj, 1);
    const next = rs ? rs[i + 1] : undefined;
    if (prev && prev.end === vpn && prev.obj === obj && prev.base + (prev.end - prev.start) === base
      && !(next && next.start === vpn + 1)) { prev.end++; return prev; }
    const r: Run = { start: vpn, end: vpn + 1, obj, base };
    if (!rs) { rs = []; this.blocks.set(k, rs); this.sorted = null; }
    rs.splice(i + 1, 0, r);
    this.nRuns++;
    return r;
  }
  lastFresh = false;

  /** Start of the first run beginning after vpn and before limit, or limit. */
  nextRunStart(vpn: number, limit: number): number {
    if (limit <= vpn + 1) return limit;
    for (const k of this.blocksIn(blk(vpn), blk(limit - 1))) {
      for (const r of this.blocks.get(k)!) if (r.start > vpn) return Math.min(r.start, limit);
    }
    return limit;
  }

  /** Map [start, end) to obj indexes base... (replacing whatever was there). */
  map(start: number, end: number, obj: MemObject, base: number): void {
    if (start >= end) return;
    if (end - start > 1 || this.lookup(start)) this.unmap(start, end);
    if (!this.objects.has(obj)) { this.objects.add(obj); obj.tables.add(this); }
    this.account(obj, end - start);
    for (let s = start; s < end; ) {
      const e = Math.min(end, (blk(s) + 1) * B);
      const b = base + (s - start);
      const rs = this.blocks.get(blk(s));
      const i = rs ? floorIdx(rs, s) : -1;
      const prev = rs && i >= 0 ? rs[i] : undefined;
      const next = rs ? rs[i + 1] : undefined;
      const joinPrev = prev && prev.end === s && prev.obj === obj && prev.base + (prev.end - prev.start) === b;
      const joinNext = next && next.start === e && next.obj === obj && next.base === b + (e - s);
      if (joinPrev && joinNext) { prev!.end = next!.end; rs!.splice(i + 1, 1); this.nRuns--; }
      else if (joinPrev) prev!.end = e;
      else if (joinNext) { next!.start = s; next!.base = b; }
      else this.insertRun({ start: s, end: e, obj, base: b });
      s = e;
    }
  }

  /** Remove [start, end); fn sees each removed piece (start, end, obj, base of the piece). */
  unmap(start: number, end: number, fn?: Piece): void {
    if (start >= end) return;
    for (const k of this.blocksIn(blk(start), blk(end - 1))) {
      const rs = this.blocks.get(k)!;
      let i = Math.max(0, floorIdx(rs, start));
      while (i < rs.length && rs[i]!.start < end) {
        const h = rs[i]!;
        if (h.end <= start) { i++; continue; }
        const s = Math.max(h.start, start), e = Math.min(h.end, end);
        this.account(h.obj, -(e - s));
        if (fn) fn(s, e, h.obj, h.base + (s - h.start));
        const keep: Run[] = [];
        if (h.start < start) keep.push({ start: h.start, end: start, obj: h.obj, base: h.base });
        if (h.end > end) keep.push({ start: end, end: h.end, obj: h.obj, base: h.base + (end - h.start) });
        rs.splice(i, 1, ...keep);
        this.nRuns += keep.length - 1;
        i += keep.length;
      }
      if (rs.length === 0) { this.blocks.delete(k); this.sorted = null; }
    }
  }

  /** Each mapped piece of [start, end), clipped, in order. fn must not mutate the table. */
  forEachIn(start: number, end: number, fn: Piece): void {
    if (start >= end) return;
    for (const k of this.blocksIn(blk(start), blk(end - 1))) {
      const rs = this.blocks.get(k)!;
      for (let i = Math.max(0, floorIdx(rs, start)); i < rs.length && rs[i]!.start < end; i++) {
        const r = rs[i]!;
        if (r.end <= start) continue;
        const s = Math.max(r.start, start);
        fn(s, Math.min(r.end, end), r.obj, r.base + (s - r.start));
      }
    }
  }

  /** Count mapped pages of [start, end) accepted by pred. */
  countIn(start: number, end: number, pred: (obj: MemObject) => boolean): number {
    let n = 0;
    this.forEachIn(start, end, (s, e, o) => { if (pred(o)) n += e - s; });
    return n;
  }

  /** Copy of the runs of [start, end) (fork: copy_page_range; mremap: move_page_tables). */
  pieces(start: number, end: number): Run[] {
    const out: Run[] = [];
    this.forEachIn(start, end, (s, e, obj, base) => out.push({ start: s, end: e, obj, base }));
    return out;
  }

  allRuns(): Run[] {
    const out: Run[] = [];
    if (!this.sorted) this.sorted = [...this.blocks.keys()].sort((a, b) => a - b);
    for (const k of this.sorted) out.push(...this.blocks.get(k)!);
    return out;
  }

  /** Pieces of obj this table maps, as [firstIndex, endIndex), merged across PMD boundaries (one rmap step). */
  indexRangesOf(obj: MemObject): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const rs of this.blocks.values()) {
      for (const r of rs) {
        if (r.obj !== obj) continue;
        out.push([r.base, r.base + r.end - r.start]);
      }
    }
    return out;
  }

  /** Teardown (exit_mmap): forget every PTE and leave the rmap. */
  release(): void {
    this.blocks.clear();
    this.sorted = [];
    this.nRuns = 0;
    this.rss.anon = this.rss.file = this.rss.shmem = 0;
    for (const o of this.objects) o.tables.delete(this);
    this.objects.clear();
  }

  /** Structural check for invariants.ts. */
  check(): string | null {
    let n = 0;
    for (const [k, rs] of this.blocks) {
      if (rs.length === 0) return `empty PMD ${k}`;
      let prevEnd = -Infinity;
      for (const r of rs) {
        if (!(r.start < r.end)) return `empty run at ${r.start}`;
        if (blk(r.start) !== k || blk(r.end - 1) !== k) return `run [${r.start}, ${r.end}) crosses PMD ${k}`;
        if (r.start < prevEnd) return `runs overlap at ${r.start}`;
        prevEnd = r.end;
        n++;
      }
    }
    return n === this.nRuns ? null : `run count ${this.nRuns} != ${n}`;
  }
}
