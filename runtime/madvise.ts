// Linux: mm/madvise.c (linux-6.18) — madvise_walk_vmas over [start, end): each
// VMA in order, the first error stops the walk (earlier VMAs stay changed);
// a hole gives ENOMEM after the walk (unmapped_error). Behaviours modelled:
// flag advice (DONTFORK/DOFORK/WIPEONFORK/KEEPONFORK/HUGEPAGE/NOHUGEPAGE/DONTDUMP/
// DODUMP) through vma_modify_flags, DONTNEED / DONTNEED_LOCKED / FREE / REMOVE
// zaps (EINVAL on VM_LOCKED, VM_PFNMAP, VM_HUGETLB for DONTNEED/FREE —
// madvise_dontneed_free_valid_vma), COLD/PAGEOUT (can_madv_lru_vma), WILLNEED,
// POPULATE_READ/WRITE (faultin_page_range), GUARD_INSTALL/REMOVE.
import { MADV, PAGE_SIZE_N, U64_MASK } from './constants.js';
import { err, OK, type Errno, type SysResult } from './errno.js';
import { dropFolios } from './folios.js';
import { splitForMadvise } from './folio-split.js';
import { anonVmaPrepare, faultRange } from './fault.js';
import { madviseFreeRange, reclaimLazyfree } from './lazyfree.js';
import { willneedReadahead } from './readahead.js';
import { mapcount } from './rmap.js';
import type { Mm, Task } from './mm.js';
import { beforeZap } from './huge-memory.js';
import { GUARD_MARKER } from './pages.js';
import { vmaModifyFlags, zapRange } from './vma-ops.js';
import { isClean } from './writeback.js';
import {
  VM_DONTCOPY, VM_DONTDUMP, VM_HUGEPAGE, VM_HUGETLB, VM_IO, VM_LOCKED, VM_MAYBE_GUARD, VM_MAYWRITE, VM_NOHUGEPAGE, VM_PFNMAP,
  VM_RAND_READ, VM_READ, VM_SEQ_READ, VM_SHARED, VM_SPECIAL, VM_WIPEONFORK, VM_WRITE, type Vma,
} from './vma.js';

/** mm/madvise.c:madvise_behavior_valid. */
const VALID = new Set<number>([
  MADV.NORMAL, MADV.RANDOM, MADV.SEQUENTIAL, MADV.WILLNEED, MADV.DONTNEED, MADV.DONTNEED_LOCKED, MADV.FREE,
  MADV.REMOVE, MADV.DONTFORK, MADV.DOFORK, MADV.MERGEABLE, MADV.UNMERGEABLE, MADV.HUGEPAGE, MADV.NOHUGEPAGE,
  MADV.DONTDUMP, MADV.DODUMP, MADV.WIPEONFORK, MADV.KEEPONFORK, MADV.COLD, MADV.PAGEOUT, MADV.POPULATE_READ,
  MADV.POPULATE_WRITE, MADV.COLLAPSE, MADV.GUARD_INSTALL, MADV.GUARD_REMOVE,
]);

/** New vm_flags for flag-only advice (madvise_vma_behavior), or an errno, or null (not a flag advice). */
function flagAdvice(v: Vma, advice: number): number | Errno | null {
  switch (advice) {
    case MADV.DONTFORK: return v.flags | VM_DONTCOPY;
    case MADV.DOFORK: return v.flags & VM_IO ? 'EINVAL' : v.flags & ~VM_DONTCOPY;
    case MADV.WIPEONFORK:
      // Only anonymous private memory can be wiped (no file, not shared).
      return v.file || v.flags & VM_SHARED ? 'EINVAL' : v.flags | VM_WIPEONFORK;
    case MADV.KEEPONFORK: return v.droppable ? 'EINVAL' : v.flags & ~VM_WIPEONFORK;
    case MADV.DONTDUMP: return v.flags | VM_DONTDUMP;
    case MADV.DODUMP: return v.flags & VM_SPECIAL ? 'EINVAL' : v.flags & ~VM_DONTDUMP;
    case MADV.NORMAL: return v.flags & ~(VM_RAND_READ | VM_SEQ_READ);
    case MADV.RANDOM: return (v.flags & ~VM_SEQ_READ) | VM_RAND_READ;
    case MADV.SEQUENTIAL: return (v.flags & ~VM_RAND_READ) | VM_SEQ_READ;
    case MADV.HUGEPAGE: return (v.flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
    case MADV.NOHUGEPAGE: return (v.flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
    default: return null;
  }
}

/**
 * mm/madvise.c:madvise_pageout on page-cache pages mapped only here: reclaim_pages
 * unmaps them; shrink_folio_list then frees the clean ones and keeps the dirty ones
 * in the page cache (writeback.ts).
 */
function pageout(t: Task, v: Vma, s: number, e: number): void {
  const f = v.file!;
  const victims: Array<[number, number, number]> = [];
  t.mm.pt.forEachIn(s, e, (a, b, obj, base) => {
    if (obj !== f) return;
    // shrink_folio_list keeps an mlocked folio (folio_evictable): stranded ones stay mapped.
    for (let i = 0; i < b - a; i++) {
      if (mapcount(f, base + i) === 1 && !f.strandedMlock.has(base + i)) victims.push([a + i, a + i + 1, base + i]);
    }
  });
  for (const [a, b, idx] of victims) {
    beforeZap(t.mm, a, b); // try_to_unmap empties PTEs, the table stays
    t.mm.pt.unmap(a, b);
    if (isClean(f, idx)) { f.cache.remove(idx, idx + 1); f.reclaimMark.remove(idx, idx + 1); dropFolios(f, idx, idx + 1); }
    // A dirty regular-file folio stays cached with PG_reclaim; shmem's writeout fails
    // without swap and pageout() clears the bit again (AOP_WRITEPAGE_ACTIVATE).
    else if (f.kind === 'file') f.reclaimMark.add(idx, idx + 1);
  }
}

/**
 * madvise_cold_or_pageout_pte_range isolates every folio mapped only here
 * (folio_isolate_lru); shrink_folio_list puts an mlocked one back on the
 * unevictable LRU, where mm/swap.c:lru_add sets its mlock_count to 0.
 */
function isolateStranded(mm: Mm, s: number, e: number): void {
  mm.pt.forEachIn(s, e, (a, b, obj, base) => {
    if (obj.strandedMlock.size === 0) return;
    for (let i = base; i < base + b - a; i++) if (mapcount(obj, i) === 1) obj.strandedMlock.resetCount(i);
  });
}

function applyToVma(t: Task, v: Vma, s: number, e: number, advice: number): { vma: Vma; error?: Errno } {
  const mm = t.mm;
  const f = flagAdvice(v, advice);
  if (typeof f === 'string') return { vma: v, error: f };
  if (typeof f === 'number') {
    if (f === v.flags) return { vma: v };
    const r = vmaModifyFlags(mm, v, s, e, f);
    return typeof r === 'string' ? { vma: v, error: r } : { vma: r };
  }
  switch (advice) {
    case MADV.DONTNEED: case MADV.DONTNEED_LOCKED: case MADV.FREE: {
      // madvise_dontneed_free_valid_vma.
      const forbid = VM_PFNMAP | VM_HUGETLB * (advice === MADV.FREE ? 1 : 0) | (advice === MADV.DONTNEED_LOCKED ? 0 : VM_LOCKED);
      if (v.flags & forbid) return { vma: v, error: 'EINVAL' };
      if (advice === MADV.FREE && v.file) return { vma: v, error: 'EINVAL' };
      // MADV_FREE only marks anonymous pages clean (lazyfree, madvise_free_single_vma):
      // they stay mapped until reclaim, which MADV_PAGEOUT runs (runtime/lazyfree.ts;
      // observed: Rss unchanged on 6.18.44 until then).
      if (advice === MADV.FREE) { splitForMadvise(mm, s, e, 'free'); madviseFreeRange(mm, s, e); }
      else zapRange(mm, s, e, true);
      return { vma: v };
    }
    case MADV.REMOVE: {
      // mm/madvise.c:madvise_remove: EINVAL when locked or without a file, then EACCES
      // unless vma_is_shared_maywrite (VM_SHARED and VM_MAYWRITE: a PROT_EXEC-only shared
      // mapping of a writable object is punched; observed on 6.18.44).
      if (v.flags & VM_LOCKED || !v.file) return { vma: v, error: 'EINVAL' };
      if ((v.flags & (VM_SHARED | VM_MAYWRITE)) !== (VM_SHARED | VM_MAYWRITE)) return { vma: v, error: 'EACCES' };
      const is = v.index(s), ie = v.index(e);
      // vfs_fallocate(PUNCH_HOLE): the pages go from the object and from every mapping.
      for (const tbl of [...v.file.tables]) {
        for (const r of tbl.allRuns()) {
          if (r.obj !== v.file) continue;
          const lo = Math.max(r.base, is), hi = Math.min(r.base + r.end - r.start, ie);
          if (lo < hi) tbl.unmap(r.start + lo - r.base, r.start + hi - r.base);
        }
      }
      v.file.cache.remove(is, ie);
      v.file.strandedMlock.remove(is, ie);
      v.file.reclaimMark.remove(is, ie);
      dropFolios(v.file, is, ie);
      v.file.dropContents(is, ie);
      return { vma: v };
    }
    case MADV.COLD: case MADV.PAGEOUT: {
      if (v.flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB)) return { vma: v, error: 'EINVAL' };
      // PAGEOUT reclaims page-cache and shmem pages mapped only here (there is no swap
      // for anonymous memory on the test machine): observed Rss 0 and not resident.
      // Of anonymous pages it frees only the lazyfree ones MADV_FREE left clean
      // (shrink_folio_list -> try_to_unmap_one discard, runtime/lazyfree.ts).
      if (!v.file) splitForMadvise(mm, s, e, advice === MADV.PAGEOUT ? 'pageout' : 'cold');
      if (advice === MADV.PAGEOUT) isolateStranded(mm, s, e);
      if (advice === MADV.PAGEOUT && v.file) pageout(t, v, s, e);
      if (advice === MADV.PAGEOUT) reclaimLazyfree(mm, s, e);
      return { vma: v };
    }
    case MADV.POPULATE_READ: case MADV.POPULATE_WRITE: {
      // madvise_populate -> faultin_page_range: EFAULT on a bad VMA / SIGBUS, ENOMEM as is.
      const write = advice === MADV.POPULATE_WRITE;
      if (v.flags & (VM_IO | VM_PFNMAP)) return { vma: v, error: 'EINVAL' };
      // faultin_page_range without FOLL_FORCE: the VMA must allow the access itself
      // (observed: POPULATE_READ of a PROT_WRITE-only mapping is EINVAL).
      if (!(v.flags & (write ? VM_WRITE : VM_READ))) return { vma: v, error: 'EINVAL' };
      const r = faultRange(t, v, s, e, write);
      if (r.error) return { vma: v, error: r.error === 'ENOMEM' ? 'ENOMEM' : 'EFAULT' };
      return { vma: v };
    }
    case MADV.GUARD_INSTALL: {
      // madvise_guard_install: not on VM_LOCKED, VM_SPECIAL or hugetlb VMAs (shared and
      // file mappings are allowed: observed on 6.18.44). VM_MAYBE_GUARD makes fork copy the
      // page tables, markers included (vma_needs_copy); only an anonymous VMA also gets an
      // anon_vma (vma_is_anonymous -> anon_vma_prepare): a private file VMA stays without one
      // and so still merges with its neighbours (observed: fuzz seed 1000 #33271, shm stream).
      if (v.flags & (VM_LOCKED | VM_SPECIAL | VM_HUGETLB)) return { vma: v, error: 'EINVAL' };
      // The flag first, then the anon_vma (6.18 order): a neighbour guarded by the same call
      // is then anon_vma_compatible and its anon_vma is reused (fuzz seed 20261122 #26116).
      v.flags |= VM_MAYBE_GUARD;
      if (v.isAnonymous()) anonVmaPrepare(mm, v);
      zapRange(mm, s, e);
      mm.pt.map(s, e, GUARD_MARKER, s);
      return { vma: v };
    }
    case MADV.GUARD_REMOVE: {
      const guards: Array<[number, number]> = [];
      mm.pt.forEachIn(s, e, (a, b, o) => { if (o === GUARD_MARKER) guards.push([a, b]); });
      for (const [a, b] of guards) mm.pt.unmap(a, b);
      return { vma: v };
    }
    case MADV.WILLNEED:
      // Anonymous memory: swapin_walk_ops, nothing to read back without swap.
      if (v.file && !v.shm) willneedReadahead(v.file, v.index(s), v.index(e), Number((v.file.sizeBytes + PAGE_SIZE_N - 1n) / PAGE_SIZE_N));
      return { vma: v };
    default:
      // NORMAL, RANDOM, SEQUENTIAL, MERGEABLE, UNMERGEABLE, COLLAPSE: no state the model shows.
      return { vma: v };
  }
}

/** SYSCALL_DEFINE3(madvise) -> do_madvise. */
export function sysMadvise(t: Task, startB: bigint, lenB: bigint, advice: number): SysResult {
  if (startB % PAGE_SIZE_N) return err('EINVAL');
  if (!VALID.has(advice)) return err('EINVAL');
  if ((advice === MADV.GUARD_INSTALL || advice === MADV.GUARD_REMOVE) && !t.system.profile.behaviour.madvGuard) return err('EINVAL');
  const len = ((lenB + PAGE_SIZE_N - 1n) / PAGE_SIZE_N) * PAGE_SIZE_N;
  if (len !== 0n && (len & U64_MASK) === 0n) return err('EINVAL');
  if (lenB !== 0n && len === 0n) return err('EINVAL');
  const endB = startB + len;
  if (endB > U64_MASK) return err('EINVAL');
  if (endB === startB) return OK;
  const s = Number(startB >> 12n), e = Number(endB >> 12n);
  const mm = t.mm;
  let unmapped = false;
  let cur = s;
  let v = mm.vmas.find(cur);
  // madvise_populate walks the range as GUP does (faultin_page_range with
  // FOLL_MADV_POPULATE): a hole stops it at once with ENOMEM, the pages before it
  // populated; other advice (and populate before 6.10, Behaviour.populateStopsAtHole)
  // visits every VMA and reports the hole afterwards.
  const populate = (advice === MADV.POPULATE_READ || advice === MADV.POPULATE_WRITE) && t.system.profile.behaviour.populateStopsAtHole;
  while (v && v.start < e && cur < e) {
    if (v.start > cur) { if (populate) return err('ENOMEM'); unmapped = true; }
    const rs = Math.max(cur, v.start), re = Math.min(e, v.end);
    const r = applyToVma(t, v, rs, re, advice);
    if (r.error) return err(r.error);
    cur = re;
    v = mm.vmas.find(cur);
  }
  if (cur < e) unmapped = true;
  return unmapped ? err('ENOMEM') : OK;
}
