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
// consecutive indexes of one object starting at `base` (page-table.ts). Mapcount is not stored:
// procfs.ts counts the PTEs that point at a page (an rmap walk) when it renders.
import { DEFAULT_BDI, type BackingDev } from './backing-dev.js';
import { IntervalSet } from './interval-set.js';
import { MlockCounts } from './mlock-count.js';

/**
 * 'file': a regular file (readahead, writeback); 'shmem': shared anonymous memory, System V
 * shm, or a scenario file on tmpfs (runtime/files.ts:createFile: named, sized, no readahead).
 */
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
  readonly tables = new Set<RmapTable>();
  /**
   * Pages still PG_mlocked though no VM_LOCKED VMA maps them, with their mlock_count
   * (runtime/mlock-count.ts): mremap MREMAP_DONTUNMAP clears VM_LOCKED without the
   * munlock walk, so they stay unevictable (mm/internal.h:folio_evictable) until an
   * munlock brings the count to 0 or they are freed. Anonymous indexes are never
   * reused, so a freed anonymous page's entry names nothing.
   */
  readonly strandedMlock = new MlockCounts();
  /**
   * PG_reclaim, which is the same bit as PG_readahead: MADV_PAGEOUT sets it on a dirty
   * regular-file folio it could not free (mm/vmscan.c:shrink_folio_list, "Immediately
   * reclaim when written back"). Fault-around skips such folios (mm/filemap.c:
   * next_uptodate_folio, folio_test_readahead); the fault that finds one clears it
   * (do_async_mmap_readahead -> page_cache_async_ra), as does leaving the page cache.
   */
  readonly reclaimMark = new IntervalSet();
  /**
   * Anonymous pages MADV_FREE made lazyfree (mm/swap.c:folio_mark_lazyfree clears
   * PG_swapbacked), index -> the page tables whose PTE for it is still clean
   * (madvise_free_pte_range cleared it; fork copies it clean). A write through a PTE
   * cancels it (runtime/lazyfree.ts). Unused for other kinds.
   */
  readonly lazyfree = new Map<number, Set<RmapTable>>();
  /** Large folios in the page cache, head index -> pages (runtime/folios.ts); absent: order 0. */
  readonly largeFolios = new Map<number, number>();
  /** Mappings from other processes the model does not simulate (the vDSO is mapped by every process). */
  externalMapcount = 0;
  /**
   * A regular file's backing device: its readahead limits (runtime/readahead.ts). One
   * per file, as every open of it copies the same bdi->ra_pages into its f_ra.
   */
  bdi: BackingDev = DEFAULT_BDI;
  /**
   * Bumped by page-table.ts whenever a PTE run into this object appears, changes or
   * goes (in any table): rmap.ts keeps mapcounts computed at one generation.
   */
  rmapGen = 0;
  /** rmap.ts's cache: the mapcount segments as of rmapGen and externalMapcount. */
  rmapCache: { gen: number; ext: number; segs: MapcountSegments } | null = null;
  /**
   * Bytes written, per page index: a number when only offset 0 was written, else a
   * map offset -> value. Anonymous objects keep offset 0 in `first` instead (their
   * indexes are dense, from the bump allocator): a million touched pages cost 1 MB.
   */
  readonly contents = new Map<number, number | Map<number, number>>();
  private first: Uint8Array | null = null;

  constructor(readonly kind: ObjKind, readonly name = '') {}

  allocate(n: number): number { const b = this.nextIndex; this.nextIndex += n; return b; }
  /** n indexes starting at a multiple of n: a large folio, found again by runtime/folios.ts:folioAt. */
  allocateAligned(n: number): number { this.nextIndex = Math.ceil(this.nextIndex / n) * n; return this.allocate(n); }

  /** Whether a PTE to this object counts in Rss (vm_normal_page is NULL for the zero page; hugetlb is separate). */
  get countsRss(): boolean { return this.kind !== 'zero' && this.kind !== 'guard' && this.kind !== 'hugetlb'; }
  get isAnon(): boolean { return this.kind === 'anon'; }

  readByte(index: number, off: number): number {
    if (off === 0 && this.first) return this.first[index] ?? 0;
    const c = this.contents.get(index);
    if (c === undefined) return 0;
    if (typeof c === 'number') return off === 0 ? c : 0;
    return c.get(off) ?? 0;
  }

  writeByte(index: number, off: number, value: number): void {
    if (off === 0 && this.kind === 'anon') {
      if (!this.first || index >= this.first.length) {
        const grown = new Uint8Array(Math.max(1024, index + 1, (this.first?.length ?? 0) * 2));
        if (this.first) grown.set(this.first);
        this.first = grown;
      }
      this.first[index] = value;
      return;
    }
    const c = this.contents.get(index);
    if (off === 0 && (c === undefined || typeof c === 'number')) { this.contents.set(index, value); return; }
    const m = c instanceof Map ? c : new Map<number, number>(typeof c === 'number' ? [[0, c]] : []);
    m.set(off, value);
    this.contents.set(index, m);
  }

  /** Whether anything was ever written (cheap test before dropping contents). */
  get written(): boolean { return this.first !== null || this.contents.size > 0; }

  copyPage(fromIndex: number, to: MemObject, toIndex: number): void {
    const b0 = this.readByte(fromIndex, 0);
    const c = this.contents.get(fromIndex);
    if (c === undefined) to.contents.delete(toIndex);
    else to.contents.set(toIndex, typeof c === 'number' ? c : new Map(c));
    if (b0 !== 0 || to.first) to.writeByte(toIndex, 0, b0);
  }

  /** Whether every byte of the page is 0 (try_to_map_unused_to_zeropage's memchr_inv). */
  pageIsZero(index: number): boolean {
    if (this.first && (this.first[index] ?? 0) !== 0) return false;
    const c = this.contents.get(index);
    if (c === undefined) return true;
    if (typeof c === 'number') return c === 0;
    for (const v of c.values()) if (v !== 0) return false;
    return true;
  }

  dropContents(start: number, end: number): void {
    if (this.first) this.first.fill(0, Math.max(0, start), Math.min(end, this.first.length));
    if (this.contents.size === 0) return;
    if (end - start < this.contents.size) { for (let i = start; i < end; i++) this.contents.delete(i); return; }
    for (const k of [...this.contents.keys()]) if (k >= start && k < end) this.contents.delete(k);
  }
}

/** The shared zero page: read faults on private anonymous memory map it. */
export const ZERO_PAGE = new MemObject('zero', 'zero page');
/** PTE markers of guard regions (not pages; fault SIGSEGV). */
export const GUARD_MARKER = new MemObject('guard', 'guard marker');

/** Mapcounts over an object's index space as sorted segments [start, end, count] (count >= 1). */
export type MapcountSegments = Array<[number, number, number]>;

/** What the rmap needs from a page table (page-table.ts implements it). */
export interface RmapTable {
  indexRangesOf(obj: MemObject): Array<[number, number]>;
  /** indexRangesOf into two flat arrays (no tuple a run: rmap walks of millions of runs). */
  pushIndexRanges(obj: MemObject, starts: number[], ends: number[]): void;
  allRuns(): Array<{ start: number; end: number; obj: MemObject; base: number }>;
  unmap(start: number, end: number): void;
}
