// Linux: mm/memory.c (linux-6.18) — handle_mm_fault: do_anonymous_page (zero
// page on read, a new anon page on write; a new page on read too when the machine
// does not use the zero page, MachineSettings.zeroPage), do_read_fault with do_fault_around
// (maps neighbouring page-cache pages, fault_around_bytes = 64 KiB), do_cow_fault
// (private file write), do_shared_fault, do_wp_page (COW break; a page mapped
// once is reused), hugetlb_fault; mm/rmap.c:__anon_vma_prepare and
// find_mergeable_anon_vma. Faults past EOF give SIGBUS (filemap_fault).
// Each successful handle_mm_fault counts in Task.minFlt (mm_account_fault): one per
// page a fault maps, one for a fault-around window, one per COW copy.
import { HPAGE_PAGES, PAGE_SIZE_N, PTRS_PER_PTE } from './constants.js';
import type { Mm, Task } from './mm.js';
import { GUARD_MARKER, ZERO_PAGE, type MemObject } from './pages.js';
import { hasPteTable, hugeAnonFault, hugeWriteFault, pteFaultEnd } from './huge-memory.js';
import { folioAt } from './folios.js';
import type { IntervalSet } from './interval-set.js';
import { asyncMmapReadahead, syncMmapReadahead } from './readahead.js';
import { mapcount } from './rmap.js';
import { AnonVma, VM_ACCESS_FLAGS, VM_HUGETLB, VM_RAND_READ, VM_SHARED, VM_SOFTDIRTY, type Vma } from './vma.js';
import { markDirty } from './writeback.js';
import { lazyfreeCancel } from './lazyfree.js';

export type FaultError = 'SIGBUS' | 'SIGSEGV' | 'ENOMEM';
export interface FaultOutcome { done: number; error?: FaultError }

/** mm/rmap.c:reusable_anon_vma / anon_vma_compatible. */
function compatible(a: Vma, b: Vma): boolean {
  return a.end === b.start && a.file === b.file && a.vmFile === b.vmFile && ((a.flags ^ b.flags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) === 0
    && b.pgoff === a.pgoff + a.pages;
}

/** mm/rmap.c:__anon_vma_prepare: reuse a compatible neighbour's anon_vma, else a new one. */
export function anonVmaPrepare(mm: Mm, v: Vma): void {
  if (v.anonVma) return;
  const next = mm.vmas.next(v), prev = mm.vmas.prev(v);
  if (next?.anonVma && !next.anonVma.chained && compatible(v, next)) v.anonVma = next.anonVma;
  else if (prev?.anonVma && !prev.anonVma.chained && compatible(prev, v)) v.anonVma = prev.anonVma;
  else v.anonVma = new AnonVma();
}

function fileBacked(v: Vma): MemObject | null {
  const f = v.file;
  return f && (f.kind === 'file' || f.kind === 'shmem' || f.kind === 'secretmem') ? f : null;
}

/** The last size eofIndex converted: faults of one object ask again and again. */
let lastSize = 0n, lastEof = 0;

/** Pages of the object below EOF. */
function eofIndex(obj: MemObject): number {
  const b = obj.sizeBytes;
  if (b !== lastSize) { lastSize = b; lastEof = Number((b + PAGE_SIZE_N - 1n) / PAGE_SIZE_N); }
  return lastEof;
}

/** New private anonymous pages for [s, e), copying what the old pages held. */
function cowBreak(mm: Mm, v: Vma, s: number, e: number, old: MemObject, oldBase: number): void {
  anonVmaPrepare(mm, v);
  const base = mm.anon.allocate(e - s);
  if (old !== ZERO_PAGE) for (let i = 0; i < e - s; i++) old.copyPage(oldBase + i, mm.anon, base + i);
  mm.pt.map(s, e, mm.anon, base);
}

/** mm/memory.c:do_fault_around + filemap_map_pages: map cached pages around vpn (no PTE yet, below EOF). */
function faultAround(t: Task, v: Vma, vpn: number, obj: MemObject, skip: IntervalSet | null = null): void {
  const nr = t.system.profile.behaviour.faultAroundPages;
  // should_fault_around: System V shm VMAs have no ->map_pages (ipc/shm.c:shm_vm_ops).
  if (nr <= 1 || v.shm) return;
  const pteOff = vpn % PTRS_PER_PTE;
  const vmaOff = vpn - v.start;
  const fromPte = Math.max(pteOff - (pteOff % nr), pteOff - Math.min(pteOff, vmaOff));
  const toPte = Math.min(fromPte + nr, PTRS_PER_PTE, pteOff + v.pages - vmaOff);
  const lo = vpn - pteOff + fromPte, hi = vpn - pteOff + toPte;
  const eof = eofIndex(obj);
  const pt = t.mm.pt;
  // filemap_map_pages (6.18.44, "mm/memory: do not populate page table entries beyond
  // i_size"): can_map_large = shmem_mapping || file_end >= folio_next_index(first folio
  // of the window). When false, filemap_map_pmd is skipped: a PMD without a PTE table
  // gets none (pte_offset_map_lock fails) and nothing is mapped. The scenario's files
  // are written page by page (order-0 folios), so this happens when the first cached
  // page of the window is the file's last page (observed: a 1-page file read past EOF
  // maps nothing in an empty 2 MiB block, its page in a block that has a PTE table).
  const idxLo = v.index(lo), idxHi = v.index(hi);
  // can_map_large, from the first folio next_uptodate_folio returns (not PG_readahead, not in I/O).
  let first = obj.cache.nextIn(idxLo);
  while (first !== undefined && first < idxHi && (obj.reclaimMark.has(first) || skip?.has(first))) first = obj.cache.nextIn(first + 1);
  const firstFolio = first !== undefined && first < idxHi ? folioAt(obj, first) : null;
  const canMapLarge = obj.kind === 'shmem' || (firstFolio !== null && firstFolio[0] + firstFolio[1] <= eof - 1);
  // Before the i_size fix (Behaviour.faultAroundStopsAtEof) filemap_map_pmd always ran.
  if (!canMapLarge && firstFolio && !hasPteTable(t.mm, vpn) && t.system.profile.behaviour.faultAroundStopsAtEof) return;
  // Pages of the window in ascending order; uncached stretches are skipped whole.
  for (let idx = idxLo, end = Math.min(idxHi, eof); idx < end; idx++) {
    const next = obj.cache.nextIn(idx);
    if (next === undefined || next >= end) break;
    idx = next;
    // next_uptodate_folio skips a folio with PG_readahead (= PG_reclaim after MADV_PAGEOUT)
    // and one still locked for the readahead I/O this fault started.
    if (obj.reclaimMark.has(idx) || skip?.has(idx)) continue;
    const [h, n] = folioAt(obj, idx);
    if (n > 1) {
      // filemap_map_folio_range (6.18, "mm/filemap: map entire large folio faultaround"):
      // the whole folio when can_map_large and it lies in the VMA and one page table;
      // else its pages in the window (observed on ext4 with order-2 readahead folios).
      let a = idx, b = Math.min(h + n, end);
      const hv = lo + (h - idxLo);
      if (canMapLarge && h >= v.pgoff && h + n <= v.pgoff + v.pages
        && Math.floor(hv / PTRS_PER_PTE) === Math.floor((hv + n - 1) / PTRS_PER_PTE)) { a = h; b = h + n; }
      for (let i = a; i < b; i++) {
        const p = lo + (i - idxLo);
        if (!pt.has(p)) pt.map(p, p + 1, obj, i);
      }
      idx = Math.max(idx, Math.min(h + n, end) - 1);
      continue;
    }
    const p = lo + (idx - idxLo);
    // A mapped stretch is skipped whole (the loop's idx++ steps past its last page).
    const mapped = pt.mappedEnd(p);
    if (mapped > p) { idx += mapped - p - 1; continue; }
    pt.map(p, p + 1, obj, idx);
  }
}

/**
 * Fault [start, end) of VMA v in order, as GUP (populate) or a user access does.
 * Returns how many pages were handled before the first error.
 */
export function faultRange(t: Task, v: Vma, start: number, end: number, write: boolean): FaultOutcome {
  const mm = t.mm, pt = mm.pt, cp = t.system.checkpoint;
  let vpn = start;
  while (vpn < end) {
    cp.tick(); // __get_user_pages: fatal_signal_pending() each page
    const run = pt.lookup(vpn);
    if (run) {
      const segEnd = Math.min(run.end, end);
      if (run.obj === GUARD_MARKER) return { done: vpn - start, error: 'SIGSEGV' };
      if (write) {
        // do_huge_pmd_wp_page: a new folio for the huge zero page, or a split before the PTE COW.
        const hugeEnd = v.file === null ? hugeWriteFault(t, v, vpn, (x) => anonVmaPrepare(mm, x)) : null;
        if (hugeEnd !== null) { t.minFlt++; vpn = Math.min(hugeEnd, end); continue; }
        const base = run.base + (vpn - run.start);
        const o = run.obj;
        // wp_page_shared: a write through a shared mapping dirties the page-cache page.
        if (v.flags & VM_SHARED && o.kind !== 'anon') markDirty(o, base, base + (segEnd - vpn));
        if (o === ZERO_PAGE || (o.kind !== 'anon' && o.kind !== 'hugetlb' && !(v.flags & VM_SHARED) && o.kind !== 'special')) {
          cowBreak(mm, v, vpn, segEnd, o, base);
          t.minFlt += segEnd - vpn;
        } else if (o.kind === 'anon') {
          // do_wp_page: reuse a page only this PTE maps, copy a shared one.
          for (let p = vpn; p < segEnd; p++) {
            const idx = base + (p - vpn);
            if (mapcount(o, idx) > 1) { cowBreak(mm, v, p, p + 1, o, idx); t.minFlt++; }
            else lazyfreeCancel(o, idx); // the PTE is dirty now: reclaim keeps the page
          }
        }
      }
      vpn = segEnd;
      continue;
    }
    let gapEnd = pt.nextRunStart(vpn, end);
    if (v.flags & VM_HUGETLB) {
      const hs = vpn - ((vpn - v.start) % HPAGE_PAGES);
      const he = Math.min(hs + HPAGE_PAGES, v.end);
      const obj = v.file!;
      const hidx = v.index(hs);
      // hugetlb_fault → hugetlb_no_page: past i_size is SIGBUS (a hugetlbfs file; MAP_HUGETLB sizes it to the mapping).
      if (BigInt(hidx) * PAGE_SIZE_N >= obj.sizeBytes) return { done: vpn - start, error: 'SIGBUS' };
      if (!obj.cache.has(hidx)) {
        // A reservation taken at mmap is consumed first (mm/hugetlb.c:alloc_hugetlb_folio).
        if (obj.hugeReserved > 0) obj.hugeReserved--;
        else if (t.system.hugePagesFree <= 0) return { done: vpn - start, error: 'SIGBUS' };
        else t.system.hugePagesFree--;
        obj.cache.add(hidx, hidx + HPAGE_PAGES);
      }
      pt.map(hs, he, obj, hidx);
      t.minFlt++;
      vpn = Math.min(he, end);
      continue;
    }
    const obj = fileBacked(v);
    if (obj) {
      const idx = v.index(vpn);
      // do_read_fault maps the cached neighbours before __do_fault finds the page past
      // EOF; do_cow_fault prepares the anon_vma before it (both observed on 6.18.44).
      if (!write && obj.kind !== 'secretmem') {
        faultAround(t, v, vpn, obj);
        if (pt.has(vpn)) { t.minFlt++; continue; }
      }
      if (write && !(v.flags & VM_SHARED)) anonVmaPrepare(mm, v);
      if (idx >= eofIndex(obj)) return { done: vpn - start, error: 'SIGBUS' };
      // A page read in from the file (or a new shmem page) is clean; do_shared_fault dirties it.
      // A regular file's miss reads its readahead window, then the fault is retried, and a
      // read fault's retry maps the cached window (runtime/readahead.ts).
      if (!obj.cache.has(idx)) {
        syncMmapReadahead(v, obj, idx, eofIndex(obj));
        if (!write && obj.kind === 'file') {
          faultAround(t, v, vpn, obj);
          if (pt.has(vpn)) { t.minFlt++; continue; }
        }
      }
      // filemap_fault found the folio cached: a PG_readahead/PG_reclaim one starts the
      // next window (do_async_mmap_readahead) and the fault is retried; a read fault's
      // retry maps the window around it but not what is still being read.
      else {
        const inFlight = asyncMmapReadahead(v, obj, idx, eofIndex(obj));
        if (inFlight && !write) {
          faultAround(t, v, vpn, obj, inFlight);
          if (pt.has(vpn)) { t.minFlt++; continue; }
        }
      }
      t.minFlt++;
      if (write && v.flags & VM_SHARED) markDirty(obj, idx, idx + 1);
      if (write && !(v.flags & VM_SHARED)) cowBreak(mm, v, vpn, vpn + 1, obj, idx);
      else pt.map(vpn, vpn + 1, obj, idx);
      vpn++;
      continue;
    }
    if (v.special) {
      // vdso pages are installed at exec; vvar pages are PFNs inserted on fault.
      const o = v.special === 'vdso' ? t.system.vdso : t.system.vvar;
      pt.map(vpn, gapEnd, o, v.index(vpn));
      t.minFlt += gapEnd - vpn;
      vpn = gapEnd;
      continue;
    }
    // do_huge_pmd_anonymous_page maps a whole PMD block in one fault.
    const hugeEnd = hugeAnonFault(t, v, vpn, write, (x) => anonVmaPrepare(mm, x));
    if (hugeEnd !== null) { t.minFlt++; vpn = Math.min(hugeEnd, end); continue; }
    // The next PMD block may take a huge fault of its own: PTE faults stop at it.
    gapEnd = pteFaultEnd(t, v, vpn, gapEnd);
    // do_anonymous_page maps one page per fault. A read maps the zero page unless the
    // machine forbids it (mm_forbids_zeropage; pvm_no_zero_page=1): then, as for a write,
    // vmf_anon_prepare and a new zeroed folio, mapped writable when VM_WRITE (observed
    // on 6.18.44 with pvm_no_zero_page=1: reading 4 pages gives 4 minor faults, Rss and
    // Anonymous 16 kB, and a later write to them faults no more).
    t.minFlt += gapEnd - vpn;
    if (write || !t.system.settings.zeroPage) {
      anonVmaPrepare(mm, v);
      pt.map(vpn, gapEnd, mm.anon, mm.anon.allocate(gapEnd - vpn));
    } else {
      pt.map(vpn, gapEnd, ZERO_PAGE, vpn);
    }
    vpn = gapEnd;
  }
  return { done: end - start };
}
