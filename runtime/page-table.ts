// One mm's page table. Linux: a radix tree of page tables (pgd/p4d/pud/pmd/pte);
// a PTE page covers 512 pages (one PMD), a PMD page covers 512 PMDs (one PUD
// entry, 1 GiB). Model, the same two lower levels: a Map from PUD index to a
// PmdPage whose 512 slots each head that PMD's runs — sorted, disjoint
// [start, end) page ranges mapping consecutive indexes of one MemObject from
// `base` — so a fault costs one small Map lookup (or none: the last PmdPage is
// kept), a slot read and a walk over that PMD's few runs, whatever the mapping's
// size. Runs never cross a PMD boundary. Nothing is per page of a mapping.
//
// Runs live in a RunPool (run-pool.ts): typed arrays, not objects, because a
// million random faults would otherwise leave a million long-lived objects for
// the garbage collector and a pointer chase per run. Callers see Run objects:
// copies made on demand. RSS counters, gen and MemObject.rmapGen change here and only here.
import { PTRS_PER_PTE } from './constants.js';
import type { MemObject, RmapTable } from './pages.js';
import { NIL, PMDS_PER_PAGE, PmdPage, RunPool } from './run-pool.js';

export interface Run { start: number; end: number; obj: MemObject; base: number }
export interface RssCounters { anon: number; file: number; shmem: number }
type Piece = (s: number, e: number, obj: MemObject, base: number) => void;

const B = PTRS_PER_PTE;
/** PMDs per PMD page (PTRS_PER_PMD on x86_64). */
const D = PMDS_PER_PAGE;
const blk = (vpn: number): number => Math.floor(vpn / B);

export class PageTable implements RmapTable {
  private pages = new Map<number, PmdPage>();
  private sortedKeys: number[] | null = [];
  /** The PmdPage of the last lookup (random faults within a GiB hit it; sequential walks always do). */
  private hotKey = -1;
  private hotPage: PmdPage | undefined;
  private runs = new RunPool();
  /** Objects by the number runs store; objIds inverts it. */
  private objs: MemObject[] = [];
  private objIds = new Map<MemObject, number>();
  private lastObj: MemObject | null = null;
  private lastObjId = -1;
  private nRuns = 0;
  /** MM_ANONPAGES / MM_FILEPAGES / MM_SHMEMPAGES (include/linux/mm_types_task.h), in pages. */
  readonly rss: RssCounters = { anon: 0, file: 0, shmem: 0 };
  /** Every object this table has pointed into since it was created (the rmap's other half). */
  readonly objects = new Set<MemObject>();
  /** Set by lookupOrMapOne: whether it mapped a new page. */
  lastFresh = false;
  /** Bumped by every change of a PTE (procfs.ts keeps views rendered at one generation). */
  gen = 0;

  get runCount(): number { return this.nRuns; }

  private account(obj: MemObject, n: number): void {
    if (!obj.countsRss) return;
    if (obj.kind === 'anon') this.rss.anon += n;
    else if (obj.kind === 'shmem' || obj.kind === 'secretmem') this.rss.shmem += n;
    else this.rss.file += n;
  }

  /** The number runs store for obj; joins obj's rmap on first use. */
  private idOf(obj: MemObject): number {
    if (obj === this.lastObj) return this.lastObjId;
    let id = this.objIds.get(obj);
    if (id === undefined) {
      id = this.objs.length;
      this.objs.push(obj);
      this.objIds.set(obj, id);
      this.objects.add(obj);
      obj.tables.add(this);
    }
    this.lastObj = obj;
    this.lastObjId = id;
    return id;
  }

  private page(d: number): PmdPage | undefined {
    if (d === this.hotKey) return this.hotPage;
    const p = this.pages.get(d);
    if (p) { this.hotKey = d; this.hotPage = p; }
    return p;
  }

  /** First run of PMD k, or NIL. */
  private head(k: number): number {
    const d = Math.floor(k / D);
    const p = this.page(d);
    return p ? p.get(k - d * D) : NIL;
  }

  private setHead(k: number, r: number): void {
    const d = Math.floor(k / D);
    let p = this.page(d);
    if (!p) {
      if (r === NIL) return;
      p = new PmdPage();
      this.pages.set(d, p);
      this.sortedKeys = null;
      this.hotKey = d;
      this.hotPage = p;
    }
    const s = k - d * D, was = p.get(s);
    p.set(s, r);
    if (was === NIL && r !== NIL) p.used++;
    else if (was !== NIL && r === NIL && --p.used === 0) {
      this.pages.delete(d);
      this.sortedKeys = null;
      if (this.hotKey === d) { this.hotKey = -1; this.hotPage = undefined; }
    }
  }

  private keys(): number[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.pages.keys()].sort((a, b) => a - b);
    return this.sortedKeys;
  }

  /**
   * fn(k) for each populated PMD k in [lo, hi], ascending; fn returning true stops
   * the walk. fn may remove runs and PMDs, but must not add PMDs.
   */
  private eachPmd(lo: number, hi: number, fn: (k: number) => boolean | void): void {
    const dLo = Math.floor(lo / D), dHi = Math.floor(hi / D);
    const visit = (d: number, p: PmdPage): boolean => {
      const sHi = d === dHi ? hi - d * D : D - 1;
      for (let s = d === dLo ? lo - d * D : 0; s <= sHi && p.used > 0; s++) {
        if (p.get(s) !== NIL && fn(d * D + s)) return true;
      }
      return false;
    };
    if (dHi - dLo < 2 * this.pages.size + 16) {
      for (let d = dLo; d <= dHi; d++) {
        const p = this.pages.get(d);
        if (p && visit(d, p)) return;
      }
      return;
    }
    const ks = this.keys();
    let i = 0, j = ks.length;
    while (i < j) { const m = (i + j) >> 1; if (ks[m]! < dLo) i = m + 1; else j = m; }
    for (; i < ks.length && ks[i]! <= dHi; i++) {
      const p = this.pages.get(ks[i]!);
      if (p && visit(ks[i]!, p)) return;
    }
  }

  private toRun(r: number): Run {
    const rp = this.runs, start = rp.start(r);
    return { start, end: start + rp.len(r), obj: this.objs[rp.obj(r)]!, base: rp.base(r) };
  }

  /** The run id covering vpn, or NIL. */
  private find(vpn: number): number {
    const rp = this.runs;
    for (let r = this.head(blk(vpn)); r !== NIL; r = rp.next(r)) {
      const s = rp.start(r);
      if (s > vpn) return NIL;
      if (vpn < s + rp.len(r)) return r;
    }
    return NIL;
  }

  /** Whether a PTE maps vpn (lookup without the copy). */
  has(vpn: number): boolean { return this.find(vpn) !== NIL; }

  /** End of the run covering vpn, or vpn when none does. */
  mappedEnd(vpn: number): number {
    const r = this.find(vpn);
    return r === NIL ? vpn : this.runs.start(r) + this.runs.len(r);
  }

  /** The run covering vpn, if any (a copy). */
  lookup(vpn: number): Run | undefined {
    const r = this.find(vpn);
    return r === NIL ? undefined : this.toRun(r);
  }

  /**
   * The hot path of anonymous write faults, with one PMD lookup: the run mapping
   * vpn if there is one (lastFresh = false), else a new one-page run of obj at
   * index obj.allocate(1) (lastFresh = true).
   */
  lookupOrMapOne(vpn: number, obj: MemObject): Run {
    const rp = this.runs, k = blk(vpn);
    let prev = NIL, next = this.head(k);
    while (next !== NIL && rp.start(next) <= vpn) { prev = next; next = rp.next(next); }
    if (prev !== NIL && vpn < rp.start(prev) + rp.len(prev)) { this.lastFresh = false; return this.toRun(prev); }
    this.lastFresh = true;
    const base = obj.allocate(1), id = this.idOf(obj);
    this.account(obj, 1);
    obj.rmapGen++;
    this.gen++;
    if (prev !== NIL && rp.obj(prev) === id) {
      const len = rp.len(prev);
      if (rp.start(prev) + len === vpn && rp.base(prev) + len === base && !(next !== NIL && rp.start(next) === vpn + 1)) {
        rp.setLen(prev, len + 1);
        return this.toRun(prev);
      }
    }
    const r = rp.alloc(vpn, 1, base, id, next);
    if (prev !== NIL) rp.setNext(prev, r); else this.setHead(k, r);
    this.nRuns++;
    return { start: vpn, end: vpn + 1, obj, base };
  }

  /** Start of the first run beginning after vpn and before limit, or limit. */
  nextRunStart(vpn: number, limit: number): number {
    if (limit <= vpn + 1) return limit;
    const rp = this.runs, kLo = blk(vpn), kHi = blk(limit - 1);
    // vpn's own PMD first, without a walk (a fault's gap usually ends there).
    for (let r = this.head(kLo); r !== NIL; r = rp.next(r)) {
      const s = rp.start(r);
      if (s > vpn) return Math.min(s, limit);
    }
    if (kHi === kLo) return limit;
    let found = limit;
    this.eachPmd(kLo + 1, kHi, (k) => {
      for (let r = this.head(k); r !== NIL; r = rp.next(r)) {
        if (rp.start(r) > vpn) { found = Math.min(rp.start(r), limit); return true; }
      }
      return false;
    });
    return found;
  }

  /** Map [start, end) to obj indexes base... (replacing whatever was there). */
  map(start: number, end: number, obj: MemObject, base: number): void {
    if (start >= end) return;
    if (end - start > 1 || this.find(start) !== NIL) this.unmap(start, end);
    const id = this.idOf(obj), rp = this.runs;
    this.account(obj, end - start);
    obj.rmapGen++;
    this.gen++;
    for (let s = start; s < end; ) {
      const k = blk(s);
      const e = Math.min(end, (k + 1) * B);
      const b = base + (s - start);
      let prev = NIL, next = this.head(k);
      while (next !== NIL && rp.start(next) < s) { prev = next; next = rp.next(next); }
      const joinPrev = prev !== NIL && rp.obj(prev) === id && rp.start(prev) + rp.len(prev) === s && rp.base(prev) + rp.len(prev) === b;
      const joinNext = next !== NIL && rp.obj(next) === id && rp.start(next) === e && rp.base(next) === b + (e - s);
      if (joinPrev && joinNext) {
        rp.setLen(prev, rp.start(next) + rp.len(next) - rp.start(prev));
        rp.setNext(prev, rp.next(next));
        rp.free(next);
        this.nRuns--;
      } else if (joinPrev) rp.setLen(prev, e - rp.start(prev));
      else if (joinNext) rp.set(next, s, rp.start(next) + rp.len(next) - s, b);
      else {
        const r = rp.alloc(s, e - s, b, id, next);
        if (prev !== NIL) rp.setNext(prev, r); else this.setHead(k, r);
        this.nRuns++;
      }
      s = e;
    }
  }

  /** Remove [start, end); fn sees each removed piece (start, end, obj, base of the piece). */
  unmap(start: number, end: number, fn?: Piece): void {
    if (start >= end) return;
    const rp = this.runs;
    this.eachPmd(blk(start), blk(end - 1), (k) => {
      let prev = NIL, r = this.head(k);
      while (r !== NIL) {
        const hs = rp.start(r);
        if (hs >= end) break;
        const he = hs + rp.len(r), next = rp.next(r);
        if (he <= start) { prev = r; r = next; continue; }
        const s = Math.max(hs, start), e = Math.min(he, end), obj = this.objs[rp.obj(r)]!, hb = rp.base(r);
        this.account(obj, -(e - s));
        obj.rmapGen++;
        this.gen++;
        if (fn) fn(s, e, obj, hb + (s - hs));
        if (hs < start && he > end) {
          rp.setLen(r, start - hs);
          rp.setNext(r, rp.alloc(end, he - end, hb + (end - hs), rp.obj(r), next));
          this.nRuns++;
          break;
        } else if (hs < start) {
          rp.setLen(r, start - hs);
          prev = r;
        } else if (he > end) {
          rp.set(r, end, he - end, hb + (end - hs));
          break;
        } else {
          if (prev !== NIL) rp.setNext(prev, next); else this.setHead(k, next);
          rp.free(r);
          this.nRuns--;
        }
        r = next;
      }
      return false;
    });
  }

  /** Each mapped piece of [start, end), clipped, in order. fn must not mutate the table. */
  forEachIn(start: number, end: number, fn: Piece): void {
    if (start >= end) return;
    const kLo = blk(start), kHi = blk(end - 1);
    // A few PMDs (most VMAs): visited directly, without the walk's closures.
    if (kHi - kLo < 8) {
      for (let k = kLo; k <= kHi; k++) this.piecesOfPmd(k, start, end, fn);
      return;
    }
    this.eachPmd(kLo, kHi, (k) => { this.piecesOfPmd(k, start, end, fn); });
  }

  /** forEachIn within PMD k. */
  private piecesOfPmd(k: number, start: number, end: number, fn: Piece): void {
    const rp = this.runs;
    for (let r = this.head(k); r !== NIL; r = rp.next(r)) {
      const rs = rp.start(r);
      if (rs >= end) break;
      const re = rs + rp.len(r);
      if (re <= start) continue;
      const s = rs > start ? rs : start;
      fn(s, re < end ? re : end, this.objs[rp.obj(r)]!, rp.base(r) + (s - rs));
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

  /** Copies of every run, in address order. */
  allRuns(): Run[] {
    const out: Run[] = [];
    for (const d of this.keys()) {
      const p = this.pages.get(d)!;
      for (let s = 0; s < D; s++) for (let r = p.get(s); r !== NIL; r = this.runs.next(r)) out.push(this.toRun(r));
    }
    return out;
  }

  /**
   * Pieces of obj this table maps, as [firstIndex, endIndex) (one rmap step), in no
   * particular order: a scan of the run records, not of the 512 slots of each PMD page.
   */
  indexRangesOf(obj: MemObject): Array<[number, number]> {
    const starts: number[] = [], ends: number[] = [];
    this.pushIndexRanges(obj, starts, ends);
    return starts.map((s, i) => [s, ends[i]!]);
  }

  pushIndexRanges(obj: MemObject, starts: number[], ends: number[]): void {
    const id = this.objIds.get(obj);
    if (id === undefined) return;
    const rp = this.runs;
    for (let r = 0, n = rp.used; r < n; r++) {
      const len = rp.len(r);
      if (len > 0 && rp.obj(r) === id) { starts.push(rp.base(r)); ends.push(rp.base(r) + len); }
    }
  }

  /** Teardown (exit_mmap): forget every PTE and leave the rmap. */
  release(): void {
    this.pages.clear();
    this.sortedKeys = [];
    this.hotKey = -1;
    this.hotPage = undefined;
    this.runs = new RunPool();
    this.objs = [];
    this.objIds.clear();
    this.lastObj = null;
    this.lastObjId = -1;
    this.nRuns = 0;
    this.rss.anon = this.rss.file = this.rss.shmem = 0;
    for (const o of this.objects) { o.tables.delete(this); o.rmapGen++; }
    this.gen++;
    this.objects.clear();
  }

  /** Structural check for invariants.ts. */
  check(): string | null {
    let n = 0;
    const rp = this.runs;
    for (const [d, p] of this.pages) {
      let used = 0;
      for (let s = 0; s < D; s++) {
        if (p.get(s) === NIL) continue;
        used++;
        const k = d * D + s;
        let prevEnd = -Infinity;
        for (let r = p.get(s); r !== NIL; r = rp.next(r)) {
          const start = rp.start(r), end = start + rp.len(r);
          if (!(rp.len(r) > 0)) return `empty run at ${start}`;
          if (blk(start) !== k || blk(end - 1) !== k) return `run [${start}, ${end}) crosses PMD ${k}`;
          if (start < prevEnd) return `runs overlap at ${start}`;
          if (!this.objects.has(this.objs[rp.obj(r)]!)) return `run [${start}, ${end}) points into an object outside the rmap`;
          prevEnd = end;
          if (++n > rp.live) return 'run lists form a cycle';
        }
      }
      if (used === 0 || used !== p.used) return `PMD page ${d} counts ${p.used} PMDs, holds ${used}`;
    }
    if (n !== rp.live) return `${rp.live} runs allocated, ${n} reachable`;
    return n === this.nRuns ? null : `run count ${this.nRuns} != ${n}`;
  }
}
