// Linux: mm/huge_memory.c (linux-6.18) — transparent huge pages of private
// anonymous memory: do_huge_pmd_anonymous_page (a whole PMD folio, or the huge
// zero page on a read fault), do_huge_pmd_wp_page / do_huge_zero_wp_pmd (COW of
// a PMD mapping), __split_huge_pmd (vma_adjust_trans_huge, partial zaps),
// zap_huge_pmd, copy_huge_pmd (fork), move_huge_pmd (mremap);
// __thp_vma_allowable_orders + thp_vma_suitable_order (which faults may map a
// PMD); mm/memory.c:__handle_mm_fault (only a pmd_none() PMD takes a huge fault);
// mm/memory.c:free_pgd_range (when a PTE table goes away).
//
// Model: the pages of a PMD-mapped folio are ordinary runs of the page table
// (512 consecutive indexes of the mm's anon pool, or 512 zero-page PTEs for the
// huge zero page), so Rss, Pss, Locked, mapcounts and mincore need nothing new.
// This module keeps, per mm, which PMD blocks are mapped by one huge PMD (smaps
// AnonHugePages counts those) and which blocks hold a PTE table with no PTE left
// (a zap keeps the table; only free_pgtables at munmap drops it), because a fault
// in such a block is a PTE fault even in a VM_HUGEPAGE VMA (observed on 6.18.44).
// Splitting a PMD mapping only forgets the block here: the pages stay mapped.
import { HPAGE_PAGES } from './constants.js';
import { addLargeFolio } from './folios.js';
import type { Mm, Task } from './mm.js';
import { ZERO_PAGE } from './pages.js';
import { mapcount } from './rmap.js';
import { VM_HUGEPAGE, VM_HUGETLB, VM_NOHUGEPAGE, VM_SHARED, VM_SPECIAL, type Vma } from './vma.js';

/** /sys/kernel/mm/transparent_hugepage/enabled (the PMD size; smaller mTHP sizes are `never` on the test machine). */
export type ThpMode = 'always' | 'madvise' | 'never';
export const THP_MODES: readonly ThpMode[] = ['always', 'madvise', 'never'];

type PmdKind = 'thp' | 'zero';
interface HugeState {
  /** PMD index -> what one huge PMD maps there. */
  pmds: Map<number, PmdKind>;
  /** PMD indexes with a PTE table that may be empty (pmd_none() is false). */
  tables: Set<number>;
}

const states = new WeakMap<Mm, HugeState>();
/** The last mm asked about and its state (a fault path or a snapshot asks again and again). */
let lastMm: Mm | null = null;
let lastState: HugeState | undefined;
function existing(mm: Mm): HugeState | undefined {
  if (mm !== lastMm) { lastMm = mm; lastState = states.get(mm); }
  return lastState;
}
function state(mm: Mm): HugeState {
  let s = existing(mm);
  if (!s) { s = { pmds: new Map(), tables: new Set() }; states.set(mm, s); lastState = s; }
  return s;
}

const B = HPAGE_PAGES;
const blk = (vpn: number): number => Math.floor(vpn / B);

/**
 * __thp_vma_allowable_orders(PMD_ORDER) for a fault at block b, with
 * thp_vma_suitable_order: private anonymous (shared anonymous memory is shmem,
 * `never` on the test machine), not hugetlb/VM_SPECIAL/VM_NOHUGEPAGE, sysfs mode
 * `always` or `madvise` + VM_HUGEPAGE, the aligned block wholly inside the VMA and
 * the VMA's linear index congruent to its address modulo 512 pages.
 */
export function thpAllowed(t: Task, v: Vma, b: number): boolean {
  const mode = t.system.thp;
  if (mode === 'never' || v.file !== null || v.special !== null || v.droppable) return false;
  if (v.flags & (VM_SHARED | VM_HUGETLB | VM_SPECIAL | VM_NOHUGEPAGE)) return false;
  if (mode === 'madvise' && !(v.flags & VM_HUGEPAGE)) return false;
  const s = b * B;
  return s >= v.start && s + B <= v.end && (v.start - v.pgoff) % B === 0;
}

/** Whether a fault at vpn could map a huge PMD (cheap test for the fast paths). */
export function mayFaultHuge(t: Task, v: Vma, vpn: number): boolean {
  return t.system.thp !== 'never' && thpAllowed(t, v, blk(vpn));
}

/** Where a run of PTE faults from vpn must stop so that the next block gets its own (maybe huge) fault. */
export function pteFaultEnd(t: Task, v: Vma, vpn: number, end: number): number {
  const next = (blk(vpn) + 1) * B;
  if (end <= next || t.system.thp === 'never' || v.end - v.start < B) return end;
  if (v.flags & VM_NOHUGEPAGE || (t.system.thp === 'madvise' && !(v.flags & VM_HUGEPAGE))) return end;
  return next;
}

/**
 * Whether the 2 MiB block of vpn has a PTE table: a PTE there, or a table a zap
 * emptied and free_pgtables has not freed (mm/filemap.c:filemap_map_pages maps
 * nothing through pte_offset_map_lock without one).
 */
export function hasPteTable(mm: Mm, vpn: number): boolean {
  const s = blk(vpn) * B;
  return state(mm).tables.has(blk(vpn)) || mm.pt.has(s) || mm.pt.nextRunStart(s, s + B) < s + B;
}

/** pmd_none(): no PMD mapping and no PTE table in block b. */
function pmdNone(mm: Mm, b: number): boolean {
  const s = b * B;
  return !state(mm).tables.has(b) && !state(mm).pmds.has(b) && mm.pt.nextRunStart(s - 1, s + B) === s + B && !mm.pt.has(s);
}

/**
 * mm/memory.c:__handle_mm_fault -> create_huge_pmd -> do_huge_pmd_anonymous_page
 * for page vpn of anonymous VMA v with no PTE there. Returns the end of the block
 * when a PMD was mapped, else null (the caller does the PTE fault). A write maps a
 * new 512-page folio; a read maps the huge zero page (use_zero_page = 1) when the
 * machine uses it (MachineSettings.hugeZeroPage), else a new folio too (observed on
 * 6.18.44 with pvm_no_zero_page=1: a read of a MADV_HUGEPAGE block gives one minor
 * fault, Rss, Anonymous and AnonHugePages 2048 kB). Both prepare the anon_vma first
 * (vmf_anon_prepare), so fork copies the PMD.
 */
export function hugeAnonFault(t: Task, v: Vma, vpn: number, write: boolean, prepare: (v: Vma) => void): number | null {
  const b = blk(vpn);
  if (!thpAllowed(t, v, b)) return null;
  const mm = t.mm;
  if (!pmdNone(mm, b)) return null;
  prepare(v);
  const s = b * B;
  const folio = write || !t.system.settings.hugeZeroPage;
  if (folio) mapNewFolio(mm, s);
  else mm.pt.map(s, s + B, ZERO_PAGE, s);
  state(mm).pmds.set(b, folio ? 'thp' : 'zero');
  return s + B;
}

/**
 * A write fault on a present page vpn (do_huge_pmd_wp_page). On the huge zero page
 * a new folio replaces it when the VMA still allows one (do_huge_zero_wp_pmd;
 * returns the block end); otherwise, and on a folio another mm also maps, the PMD
 * is split and the PTE-level COW follows (returns null). An exclusive folio is reused.
 */
export function hugeWriteFault(t: Task, v: Vma, vpn: number, prepare: (v: Vma) => void): number | null {
  const mm = t.mm, st = state(mm), b = blk(vpn);
  const kind = st.pmds.get(b);
  if (kind === undefined) return null;
  if (kind === 'zero' && thpAllowed(t, v, b)) {
    prepare(v);
    const s = b * B;
    mapNewFolio(mm, s);
    st.pmds.set(b, 'thp');
    return s + B;
  }
  if (kind === 'zero') { splitBlock(mm, b); return null; }
  // The reuse test is folio-wide (folio_ref_count, the PMD's AnonExclusive cleared by fork):
  // a page the other process has already copied does not make the folio this mm's own
  // (fuzz seed 20261208 #81956: parent COWs 217 pages by mlock, the child's write splits).
  const s = b * B, run = mm.pt.lookup(s)!, head = run.base + (s - run.start);
  for (let i = 0; i < B; i++) if (mapcount(run.obj, head + i) > 1) { splitBlock(mm, b); break; }
  return null;
}

/** A new 512-page anonymous folio at block start s (runtime/folio-split.ts knows it as one folio). */
function mapNewFolio(mm: Mm, s: number): void {
  const base = mm.anon.allocateAligned(B);
  mm.pt.map(s, s + B, mm.anon, base);
  addLargeFolio(mm.anon, base, B);
}

/** __split_huge_pmd: the block's pages stay mapped by PTEs of a (deposited) table. */
function splitBlock(mm: Mm, b: number): void {
  const st = state(mm);
  if (st.pmds.delete(b)) st.tables.add(b);
}

/** __split_huge_pmd of the block holding page vpn, if one PMD maps it (a folio split unmaps it first). */
export function splitHugePmdBlock(mm: Mm, vpn: number): void {
  splitBlock(mm, blk(vpn));
}

/**
 * vma_adjust_trans_huge -> split_huge_pmd_if_needed: a VMA boundary moving to page
 * `at` inside a PMD-mapped block splits it (split_vma, vma_merge_existing_range).
 */
export function splitHugePmdAt(mm: Mm, at: number): void {
  if (at % B !== 0) splitBlock(mm, blk(at));
}

/**
 * Before the PTEs of [start, end) are zapped (unmap_page_range -> zap_pmd_range):
 * a PMD block wholly inside goes with zap_huge_pmd (pmd_none() after); one cut by
 * the range is split first. Every other block with PTEs keeps its (now maybe
 * empty) PTE table.
 */
export function beforeZap(mm: Mm, start: number, end: number): void {
  if (start >= end) return;
  const st = state(mm);
  for (const b of blocksWithPtes(mm, start, end)) {
    const bs = b * B;
    if (st.pmds.has(b) && bs >= start && bs + B <= end) st.pmds.delete(b);
    else { st.pmds.delete(b); st.tables.add(b); }
  }
}

/** PMD indexes holding a PTE of [start, end), ascending (cost: the runs there). */
function blocksWithPtes(mm: Mm, start: number, end: number): number[] {
  const out: number[] = [];
  mm.pt.forEachIn(start, end, (s, e) => {
    for (let b = blk(s); b <= blk(e - 1); b++) if (out[out.length - 1] !== b) out.push(b);
  });
  return out;
}

/**
 * mm/memory.c:free_pgtables after munmap of [start, end): the PTE table of a block
 * no VMA touches any more is freed (free_pgd_range between the neighbouring VMAs).
 */
export function freePgtables(mm: Mm, start: number, end: number): void {
  const st = state(mm);
  if (st.tables.size === 0) return;
  const lo = blk(start), hi = blk(end - 1);
  const gone: number[] = [];
  for (const b of st.tables) {
    if (b < lo || b > hi) continue;
    if (mm.vmas.overlapping(b * B, b * B + B).length === 0) gone.push(b);
  }
  for (const b of gone) st.tables.delete(b);
}

/**
 * mm/mremap.c:move_page_tables, called before the PTEs of [addr, addr+len) move to
 * newAddr. A PMD block whose whole extent moves between PMD-aligned addresses moves
 * as one PMD (move_huge_pmd; move_normal_pmd for a PTE table): the source PMD is
 * none after. Other PMD-mapped blocks are split and move PTE by PTE, leaving their
 * source tables behind. With `realign` (mremap.ts:canRealign, try_realign_addr) the
 * first block moves from its start too, its table with it. Returns what to apply
 * once the pages are at newAddr.
 */
export function beforeMove(mm: Mm, addr: number, len: number, newAddr: number, realign = false): () => void {
  const st = state(mm);
  const moved: Array<[number, PmdKind | null]> = [];
  const aligned = (addr - newAddr) % B === 0;
  const from = realign ? blk(addr) * B : addr;
  const wholeMove = (bs: number): boolean => aligned && bs >= from && bs + B <= addr + len;
  const touched = new Set<number>(blocksWithPtes(mm, addr, addr + len));
  for (const b of st.tables) if (b >= blk(addr) && b <= blk(addr + len - 1)) touched.add(b);
  const dest = destTables(mm, addr, len, newAddr, touched, wholeMove);
  for (const b of touched) {
    const bs = b * B;
    if (wholeMove(bs)) {
      moved.push([blk(bs - addr + newAddr), st.pmds.get(b) ?? null]);
      st.pmds.delete(b);
      st.tables.delete(b);
      continue;
    }
    splitBlock(mm, b);
    st.tables.add(b);
  }
  return () => {
    for (const [nb, kind] of moved) {
      if (kind) st.pmds.set(nb, kind);
      else st.tables.add(nb);
    }
    for (const nb of dest) st.tables.add(nb);
  };
}

/**
 * The destination blocks move_page_tables (linux-6.18) gives a PTE table on the PTE
 * path: per extent (cut at source and destination PMD boundaries), get_old_pmd skips
 * one whose source PMD is none; otherwise alloc_new_pmd + pte_alloc install a table
 * at the destination before move_ptes, even when no PTE of the extent is present. So
 * a block that receives no page still has a table when its source block had one —
 * from the moved range or from another VMA there (probe: a never-faulted file range
 * moved out of a block with one present anon PTE; fault-around past EOF then maps
 * the cached page, out of an empty block it maps nothing, see runtime/fault.ts).
 * Blocks moved whole (move_normal_pmd / move_huge_pmd) are left to the caller.
 */
function destTables(mm: Mm, addr: number, len: number, newAddr: number, touched: Set<number>,
  wholeMove: (bs: number) => boolean): number[] {
  // Blocks inside the range have a table only through PTEs of the range or a kept
  // table (touched); the first and last may have one through PTEs outside it.
  const src = new Set(touched);
  for (const b of [blk(addr), blk(addr + len - 1)]) if (hasPteTable(mm, b * B)) src.add(b);
  const out: number[] = [];
  for (const b of src) {
    const bs = b * B;
    if (wholeMove(bs)) continue;
    const s = Math.max(bs, addr) - addr + newAddr, e = Math.min(bs + B, addr + len) - addr + newAddr;
    for (let d = blk(s); d <= blk(e - 1); d++) out.push(d);
  }
  return out;
}

/**
 * kernel/fork.c:dup_mmap -> copy_page_range (linux-6.18), for the parent VMAs whose
 * page tables are copied (mm/memory.c:vma_needs_copy; their child copies in `copied`):
 * a PMD mapping is copied as a PMD (copy_huge_pmd, the folio now shared), and every
 * block of such a VMA where the parent's PMD is not none gets a child PTE table —
 * copy_pmd_range skips only pmd_none_or_clear_bad, and copy_pte_range calls
 * pte_alloc_map_lock before it looks at a source PTE. So the child has a table even
 * where the copied VMA has no PTE: a block whose table the parent holds for another
 * VMA (observed on 6.18.44: a file page beside the executor's [vvar], VM_PFNMAP),
 * or an emptied table the parent kept.
 */
export function forkHuge(parent: Mm, child: Mm, copied: readonly Vma[]): void {
  if (copied.length === 0) return;
  const ps = state(parent);
  const copiedSet = new Set(copied);
  const byBlock = (b: number): boolean => child.vmas.overlapping(b * B, b * B + B).some((v) => copiedSet.has(v));
  let cs: HugeState | undefined;
  const addTable = (b: number): void => { (cs ??= state(child)).tables.add(b); };
  for (const [b, kind] of ps.pmds) {
    const r = child.pt.lookup(b * B);
    if (r && r.end >= b * B + B) (cs ??= state(child)).pmds.set(b, kind);
    else if (r && byBlock(b)) addTable(b);
  }
  for (const b of ps.tables) if (byBlock(b)) addTable(b);
  // Blocks inside a copied VMA got its PTEs (runs) or are in ps.tables; only its first
  // and last block can hold the parent's table through another VMA's PTEs.
  for (const v of copied) {
    for (const b of new Set([blk(v.start), blk(v.end - 1)])) {
      if (!ps.pmds.has(b) && hasPteTable(parent, b * B)) addTable(b);
    }
  }
}

/** smaps AnonHugePages of VMA v (smaps_pmd_entry: anon folios mapped by a PMD), bytes. */
/** First pages of the blocks one huge PMD maps with a THP (not the huge zero page). */
export function thpPmdStarts(mm: Mm): number[] {
  const st = existing(mm);
  if (!st) return [];
  const out: number[] = [];
  for (const [b, kind] of st.pmds) if (kind === 'thp') out.push(b * B);
  return out;
}

export function anonHugeBytes(mm: Mm, v: Vma): number {
  const st = existing(mm);
  if (!st || st.pmds.size === 0) return 0;
  let n = 0;
  for (const [b, kind] of st.pmds) if (kind === 'thp' && b * B >= v.start && b * B + B <= v.end) n++;
  return n * B * 4096;
}

/** Invariants: each PMD block lies inside one VMA that allows it and is mapped by one object, all 512 pages. */
export function checkHuge(mm: Mm): string | null {
  const st = existing(mm);
  if (!st) return null;
  for (const [b, kind] of st.pmds) {
    const s = b * B;
    const v = mm.vmas.lookup(s);
    if (!v || v.end < s + B) return `huge PMD ${b} not inside one VMA`;
    const r = mm.pt.lookup(s);
    if (!r || r.end < s + B || (kind === 'zero') !== (r.obj === ZERO_PAGE)) return `huge PMD ${b} (${kind}) not mapped by one ${kind} folio`;
  }
  return null;
}
