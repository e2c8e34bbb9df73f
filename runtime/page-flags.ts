// PG_mlocked and PG_unevictable as /proc/kpageflags shows them (fs/proc/page.c:
// stable_page_flags, KPF_MLOCKED, KPF_UNEVICTABLE), and the scenario's share of
// /proc/meminfo Mlocked and Unevictable (NR_MLOCK, NR_UNEVICTABLE).
//
// Linux (mm/mlock.c, 6.18): a folio is PG_mlocked while its mlock_count is above 0:
// every VM_LOCKED VMA mapping it took one (mlock_folio from the mlock walk or
// populate, mlock_new_folio at a fault into a VM_LOCKED VMA), munlock_folio and
// unmapping give it back (mm/rmap.c:folio_remove_rmap_* → munlock_vma_folio).
// PG_mlocked and NR_MLOCK change at once; the move to the unevictable LRU
// (PG_unevictable) waits for the per-CPU mlock batch. The host observation drains
// every batch first (native/src/pageflags.c), so here a folio is unevictable when
// it is mlocked or its mapping is unevictable (mm/internal.h:folio_evictable:
// secretmem, mm/secretmem.c:secretmem_file_create → mapping_set_unevictable).
// Observed on 6.18.44 (C probes, 2026-12-06): mlock → both bits; munlock → neither;
// mlock2 ONFAULT → a not-yet-faulted page has no PFN, a faulted one is PG_mlocked,
// PG_unevictable after a drain; a page cache page two locked VMAs map stays mlocked
// until both are unlocked; a fork child's VMAs are not locked but share the
// parent's mlocked pages; MREMAP_DONTUNMAP strands (runtime/mlock-count.ts) stay
// mlocked; a COW copy made in the child is neither.
//
// Model: a page (object, index) is mlocked when a VM_LOCKED VMA of a live process
// maps it or it is stranded. A large folio (THP, a large page cache folio) is
// mlocked as a whole and only when the VMA maps all of it (mm/mlock.c:
// allow_mlock_munlock), but any munlock of part of it munlocks it all: observed on
// 6.18.44, munlock of one page of a PMD-mapped, mlocked THP (the PMD split into
// PTEs) leaves all 512 pages without PG_mlocked though 511 stay in VM_LOCKED VMAs.
// Its state then depends on which calls covered the whole folio, which the model
// does not track: it is known when one huge PMD in a VM_LOCKED VMA maps it
// (mlocked) or no VM_LOCKED VMA maps any of its pages (not), else unknown. Not modelled: a System V segment under SHM_LOCK
// puts pages on the unevictable LRU as they are faulted or munlocked, and takes
// them all off at SHM_UNLOCK (mm/shmem.c:shmem_lock, mm/vmscan.c:
// check_move_unevictable_folios; observed: pages present before SHM_LOCK stay
// evictable); the model does not track which, so it says it cannot know.
import type { MemObject } from './pages.js';
import type { Task } from './mm.js';
import type { System } from './system.js';
import { folioAt } from './folios.js';
import { thpPmdStarts } from './huge-memory.js';
import { VM_LOCKED } from './vma.js';

export type Intervals = [number, number][];

/** Why the model cannot give PG_mlocked of a large folio mapped by PTEs. */
export const LARGE_FOLIO_UNKNOWN =
  'a large folio mapped by PTEs in a VM_LOCKED VMA: its PG_mlocked depends on which mlock and munlock calls covered all of it (mm/mlock.c:allow_mlock_munlock), which the model does not track';

/** The locked index ranges of each object: what VM_LOCKED VMAs of live processes map. */
export class LockedPages {
  private readonly ranges = new Map<MemObject, Intervals>();
  /** Heads of large folios one huge PMD maps in a VM_LOCKED VMA. */
  private readonly pmdLocked = new Map<MemObject, Set<number>>();

  constructor(sys: System) {
    for (const t of sys.tasks) {
      if (!t.alive) continue;
      for (const v of t.mm.vmas.overlapping(0, Number.MAX_SAFE_INTEGER)) {
        if (!(v.flags & VM_LOCKED)) continue;
        t.mm.pt.forEachIn(v.start, v.end, (s, e, obj, base) => {
          let r = this.ranges.get(obj);
          if (!r) this.ranges.set(obj, (r = []));
          r.push([base, base + e - s]);
        });
      }
      for (const vpn of thpPmdStarts(t.mm)) {
        const v = t.mm.vmas.lookup(vpn), run = t.mm.pt.lookup(vpn);
        if (!v || !(v.flags & VM_LOCKED) || !run) continue;
        const head = folioAt(run.obj, run.base + vpn - run.start)[0];
        let h = this.pmdLocked.get(run.obj);
        if (!h) this.pmdLocked.set(run.obj, (h = new Set()));
        h.add(head);
      }
    }
  }

  private lockedRange(obj: MemObject, lo: number, hi: number): boolean {
    const r = this.ranges.get(obj);
    return r !== undefined && r.some(([a, b]) => a < hi && b > lo);
  }

  /** PG_mlocked of page `idx` of `obj`; undefined: the model cannot know (a large folio, see the top). */
  mlocked(obj: MemObject, idx: number): boolean | undefined {
    if (!hasPageFlags(obj)) return false;
    if (obj.strandedMlock.has(idx)) return true;
    const [head, pages] = folioAt(obj, idx);
    if (pages > 1) {
      if (this.pmdLocked.get(obj)?.has(head)) return true;
      if (!this.lockedRange(obj, head, head + pages)) return false;
      return undefined;
    }
    return this.lockedRange(obj, idx, idx + 1);
  }

  /** PG_unevictable after a drain of the LRU batches. */
  unevictable(obj: MemObject, idx: number): boolean | undefined {
    if (obj.kind === 'secretmem' && hasPageFlags(obj)) return true;
    return this.mlocked(obj, idx);
  }

  /** Every mapped page of every object, once: the scenario's share of NR_MLOCK and NR_UNEVICTABLE, in pages. */
  totals(sys: System): { mlocked: number; unevictable: number; unknown: boolean } {
    const seen = new Map<MemObject, Set<number>>();
    for (const t of sys.tasks) {
      if (!t.alive) continue;
      t.mm.pt.forEachIn(0, Number.MAX_SAFE_INTEGER, (s, e, obj, base) => {
        if (!hasPageFlags(obj)) return;
        let set = seen.get(obj);
        if (!set) seen.set(obj, (set = new Set()));
        for (let i = base; i < base + e - s; i++) set.add(i);
      });
    }
    let mlocked = 0, unevictable = 0, unknown = false;
    for (const [obj, set] of seen) for (const i of set) {
      const m = this.mlocked(obj, i), u = this.unevictable(obj, i);
      if (m === undefined || u === undefined) unknown = true;
      if (m) mlocked++;
      if (u) unevictable++;
    }
    return { mlocked, unevictable, unknown };
  }
}

/** Pages with a struct page of their own that mlock can touch (not the zero page, markers, hugetlb, vDSO). */
function hasPageFlags(obj: MemObject): boolean {
  return obj.kind === 'anon' || obj.kind === 'file' || obj.kind === 'shmem' || obj.kind === 'secretmem';
}

/** Why the model cannot say which of these pages are unevictable, or undefined when it can. */
export function unevictableUnknown(sys: System, objs: Iterable<MemObject>): string | undefined {
  const locked = new Set<MemObject>();
  for (const seg of sys.shm.segments.values()) if (seg.locked) locked.add(seg.obj);
  for (const o of objs) {
    if (locked.has(o)) return 'a System V segment under SHM_LOCK: the model does not track which of its pages reached the unevictable LRU';
  }
  return undefined;
}

/** Page-index intervals (from `sp`) of the pages of [sp, ep) in t's page table that pass `pred`. */
export function flaggedRanges(
  t: Task, sp: number, ep: number, pred: (obj: MemObject, idx: number) => boolean | undefined, seen?: { objs: Set<MemObject>; unknown: boolean },
): Intervals {
  const out: Intervals = [];
  t.mm.pt.forEachIn(sp, ep, (s, e, obj, base) => {
    seen?.objs.add(obj);
    for (let v = s; v < e; v++) {
      const f = pred(obj, base + v - s);
      if (f === undefined && seen) seen.unknown = true;
      if (!f) continue;
      const last = out[out.length - 1];
      if (last && last[1] === v - sp) last[1]++;
      else out.push([v - sp, v - sp + 1]);
    }
  });
  return out;
}
