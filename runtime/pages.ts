// Physical memory, as far as /proc can tell: page objects and page tables.
//
// Linux: a PTE maps one struct page; a page is anonymous (mm/rmap.c, PageAnon),
// page cache of a file or of shmem (mm/filemap.c, mm/shmem.c), the shared zero
// page (mm/memory.c:do_anonymous_page read faults), or a PTE marker (guard
// regions, mm/madvise.c:madvise_guard_install). smaps counts a page's PSS as
// PAGE_SIZE / mapcount (fs/proc/task_mmu.c:smaps_account).
//
// Model: a MemObject is an index space of pages (a file's page cache, a shmem
// object, or a pool of anonymous pages with a bump allocator). A page is the pair
// (object, index). A PageTable maps runs of virtual pages [start, end) to
// consecutive indexes of one object starting at `base`. Mapcount is not stored:
// procfs.ts counts the PTEs that point at a page (an rmap walk) when it renders.
import { ChunkedList } from './chunked-list.js';
import { IntervalSet } from './interval-set.js';

export type ObjKind = 'anon' | 'file' | 'shmem' | 'secretmem' | 'hugetlb' | 'zero' | 'guard' | 'special';

let nextObjId = 1;

export class MemObject {
  readonly id = nextObjId++;
  /** Page cache (file, shmem, secretmem, hugetlb): indexes that exist. Unused for anon. */
  readonly cache = new IntervalSet();
  /** Size in bytes (file, shmem, secretmem, hugetlb); pages at or past EOF fault SIGBUS. */
  sizeBytes = 0n;
  /** hugetlb: huge pages reserved for this object at mmap (hugetlb_reserve_pages) and not yet faulted. */
  hugeReserved = 0;
  /** Anon bump allocator: indexes are never reused, so (object, index) names one page forever. */
  private nextIndex = 0;
  /** Page tables holding PTEs into this object (the rmap); PageTable.release() removes itself. */
  readonly tables = new Set<PageTable>();
  /** Mappings from other processes the model does not simulate (the vDSO is mapped by every process). */
  externalMapcount = 0;
  /** Bytes written, per page index: a number when only offset 0 was written, else a map offset -> value. */
  readonly contents = new Map<number, number | Map<number, number>>();

  constructor(readonly kind: ObjKind, readonly name = '') {}

  allocate(n: number): number { const b = this.nextIndex; this.nextIndex += n; return b; }

  /** Whether a PTE to this object counts in Rss (vm_normal_page is NULL for the zero page; hugetlb is separate). */
  get countsRss(): boolean { return this.kind !== 'zero' && this.kind !== 'guard' && this.kind !== 'hugetlb'; }
  get isAnon(): boolean { return this.kind === 'anon'; }

  readByte(index: number, off: number): number {
    const c = this.contents.get(index);
    if (c === undefined) return 0;
    if (typeof c === 'number') return off === 0 ? c : 0;
    return c.get(off) ?? 0;
  }

  writeByte(index: number, off: number, value: number): void {
    const c = this.contents.get(index);
    if (off === 0 && (c === undefined || typeof c === 'number')) { this.contents.set(index, value); return; }
    const m = c instanceof Map ? c : new Map<number, number>(typeof c === 'number' ? [[0, c]] : []);
    m.set(off, value);
    this.contents.set(index, m);
  }

  copyPage(fromIndex: number, to: MemObject, toIndex: number): void {
    const c = this.contents.get(fromIndex);
    if (c === undefined) to.contents.delete(toIndex);
    else to.contents.set(toIndex, typeof c === 'number' ? c : new Map(c));
  }

  dropContents(start: number, end: number): void {
    if (this.contents.size === 0) return;
    if (end - start < this.contents.size) { for (let i = start; i < end; i++) this.contents.delete(i); return; }
    for (const k of [...this.contents.keys()]) if (k >= start && k < end) this.contents.delete(k);
  }
}

/** The shared zero page: read faults on private anonymous memory map it. */
export const ZERO_PAGE = new MemObject('zero', 'zero page');
/** PTE markers of guard regions (not pages; fault SIGSEGV). */
export const GUARD_MARKER = new MemObject('guard', 'guard marker');

export interface Run { start: number; end: number; obj: MemObject; base: number }

export interface RssCounters { anon: number; file: number; shmem: number }

/** One mm's page table: sorted disjoint runs. Counters are updated here and only here. */
export class PageTable {
  private runs = new ChunkedList<Run>((r) => r.start);
  /** MM_ANONPAGES / MM_FILEPAGES / MM_SHMEMPAGES (include/linux/mm_types_task.h), in pages. */
  readonly rss: RssCounters = { anon: 0, file: 0, shmem: 0 };
  /** Every object this table has pointed into since it was created (the rmap's other half). */
  readonly objects = new Set<MemObject>();

  get runCount(): number { return this.runs.size; }

  private account(obj: MemObject, n: number): void {
    if (!obj.countsRss) return;
    if (obj.kind === 'anon') this.rss.anon += n;
    else if (obj.kind === 'shmem' || obj.kind === 'secretmem') this.rss.shmem += n;
    else this.rss.file += n;
  }

  /** The run covering vpn, if any. */
  lookup(vpn: number): Run | undefined {
    const r = this.runs.floor(vpn);
    return r && vpn < r.end ? r : undefined;
  }

  /** Start of the first run beginning after vpn, or Infinity. */
  nextRunStart(vpn: number): number { return this.runs.higher(vpn)?.start ?? Infinity; }

  /** Map [start, end) to obj indexes base... (replacing whatever was there). */
  map(start: number, end: number, obj: MemObject, base: number): void {
    if (start >= end) return;
    // Most faults fill a hole: skip the unmap walk when nothing overlaps.
    const over = this.runs.floor(end - 1);
    if (over && over.end > start) this.unmap(start, end);
    let s = start, e = end, b = base;
    const prev = this.runs.floor(start - 1);
    if (prev && prev.end === start && prev.obj === obj && prev.base + (prev.end - prev.start) === base) {
      this.runs.remove(prev.start); s = prev.start; b = prev.base;
    }
    const next = this.runs.ceil(end);
    if (next && next.start === end && next.obj === obj && next.base === base + (end - start)) {
      this.runs.remove(next.start); e = next.end;
    }
    this.runs.insert({ start: s, end: e, obj, base: b });
    if (!this.objects.has(obj)) { this.objects.add(obj); obj.tables.add(this); }
    this.account(obj, end - start);
  }

  /** Remove [start, end); fn sees each removed piece (start, end, obj, base of the piece). */
  unmap(start: number, end: number, fn?: (s: number, e: number, obj: MemObject, base: number) => void): void {
    if (start >= end) return;
    const hits: Run[] = [];
    const f = this.runs.floor(start);
    if (f && f.end > start) hits.push(f);
    this.runs.forRange(start + 1, end, (r) => { if (r !== f) hits.push(r); });
    for (const h of hits) {
      this.runs.remove(h.start);
      const s = Math.max(h.start, start), e = Math.min(h.end, end);
      this.account(h.obj, -(e - s));
      if (fn) fn(s, e, h.obj, h.base + (s - h.start));
      if (h.start < start) this.runs.insert({ start: h.start, end: start, obj: h.obj, base: h.base });
      if (h.end > end) this.runs.insert({ start: end, end: h.end, obj: h.obj, base: h.base + (end - h.start) });
    }
  }

  /** Each mapped piece of [start, end), clipped, in order. fn must not mutate the table. */
  forEachIn(start: number, end: number, fn: (s: number, e: number, obj: MemObject, base: number) => void): void {
    const f = this.runs.floor(start);
    if (f && f.end > start) fn(start, Math.min(f.end, end), f.obj, f.base + (start - f.start));
    this.runs.forRange(start + 1, end, (r) => {
      if (r !== f) fn(r.start, Math.min(r.end, end), r.obj, r.base);
    });
  }

  /** Count mapped pages of [start, end) accepted by pred. */
  countIn(start: number, end: number, pred: (obj: MemObject) => boolean): number {
    let n = 0;
    this.forEachIn(start, end, (s, e, o) => { if (pred(o)) n += e - s; });
    return n;
  }

  /** Move the runs of [start, end) by delta pages (mremap: move_page_tables). */
  move(start: number, end: number, delta: number): void {
    const pieces: Run[] = [];
    this.unmap(start, end, (s, e, obj, base) => pieces.push({ start: s, end: e, obj, base }));
    for (const p of pieces) this.map(p.start + delta, p.end + delta, p.obj, p.base);
  }

  /** Copy of the runs of [start, end) (fork: copy_page_range). */
  pieces(start: number, end: number): Run[] {
    const out: Run[] = [];
    this.forEachIn(start, end, (s, e, obj, base) => out.push({ start: s, end: e, obj, base }));
    return out;
  }

  allRuns(): Run[] { return this.runs.toArray(); }

  /** Pieces of obj this table maps, as [firstIndex, endIndex) (one rmap step). */
  indexRangesOf(obj: MemObject): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    this.runs.forEach((r) => { if (r.obj === obj) out.push([r.base, r.base + r.end - r.start]); });
    return out;
  }

  /** Teardown (exit_mmap): forget every PTE and leave the rmap. */
  release(): void {
    this.unmap(-1, Number.MAX_SAFE_INTEGER);
    for (const o of this.objects) o.tables.delete(this);
    this.objects.clear();
  }
  check(): string | null { return this.runs.check(); }
}
