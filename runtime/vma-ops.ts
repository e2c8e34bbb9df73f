// Linux: mm/vma.c (linux-6.18) — split_vma/__split_vma, vma_modify (merge with a
// neighbour, else split), vma_merge_new_range, and the munmap core
// do_vmi_munmap -> vms_gather_munmap_vmas / vms_complete_munmap_vmas.
import type { Errno, KRet } from './errno.js';
import type { Mm, Task } from './mm.js';
import { beforeZap, freePgtables, splitHugePmdAt } from './huge-memory.js';
import { GUARD_MARKER, type MemObject } from './pages.js';
import { Vma, canMerge, canMergeRemove, VM_LOCKED, VM_SPECIAL, VM_STICKY } from './vma.js';

/**
 * mm/vma.c:split_vma (checked: map_count >= max_map_count gives ENOMEM) or
 * __split_vma (unchecked). Splits vma at page `at`; vma keeps [start, at) and the
 * returned VMA is [at, end).
 */
export function splitVma(mm: Mm, vma: Vma, at: number, checked: boolean): Vma | Errno {
  if (at <= vma.start || at >= vma.end) throw new Error(`split_vma outside the VMA (${at} in [${vma.start}, ${vma.end}))`);
  if (checked && mm.mapCount >= mm.system.maxMapCount) return 'ENOMEM';
  splitHugePmdAt(mm, at); // __split_vma -> vma_adjust_trans_huge
  const upper = vma.clone();
  upper.start = at;
  upper.pgoff = vma.index(at);
  mm.vmas.setEnd(vma, at);
  mm.vmas.insert(upper);
  return upper;
}

/** The merged VMA keeps sticky bits from every part (VM_STICKY). */
function stickyOf(...vs: Array<Vma | undefined>): number {
  let f = 0;
  for (const v of vs) if (v) f |= v.flags & VM_STICKY;
  return f;
}

/** mm/vma.c:vma_merge_existing_range: merge [start, end) of mid, given new flags, into prev and/or next. */
function mergeExisting(mm: Mm, mid: Vma, start: number, end: number, flags: number): Vma | null {
  if (flags & VM_SPECIAL) return null;
  const probe = mid.clone();
  probe.start = start; probe.end = end; probe.pgoff = mid.index(start); probe.flags = flags;
  const prev = start === mid.start ? mm.vmas.prev(mid) : undefined;
  const next = end === mid.end ? mm.vmas.next(mid) : undefined;
  // Before 6.16 (Behaviour.mergeIntoAnonless) a neighbour without an anon_vma took no part
  // with an anon_vma: is_mergeable_anon_vma tested the neighbour's (empty) chain.
  const oldAnon = !mm.system.profile.behaviour.mergeIntoAnonless;
  // Before 6.12 (Behaviour.mergeWithCloseHook) a neighbour with a close hook never merged.
  const closeHook = !mm.system.profile.behaviour.mergeWithCloseHook;
  const refused = (target: Vma): boolean => (oldAnon && !target.anonVma && !!probe.anonVma) || (closeHook && !canMergeRemove(target));
  const left = !!prev && canMerge(prev, probe, prev.flags, flags) && !refused(prev);
  let right = !!next && canMerge(probe, next, flags, next.flags) && !refused(next);
  if (left && right && prev!.anonVma && next!.anonVma && prev!.anonVma !== next!.anonVma) right = false;
  if (!left && !right) return null;
  // vma_merge_existing_range (6.18): a merge spanning the whole of mid deletes it, and
  // one with both neighbours deletes next too; a VMA with a close hook cannot be deleted:
  // the merge is abandoned (mid), or reduced to prev + mid (next). Observed with shm:
  // munlock of a whole split piece leaves it apart, mlock of a prefix of one joins prev.
  if (start === mid.start && end === mid.end && !canMergeRemove(mid)) return null;
  if (left && right && !canMergeRemove(next!)) right = false;
  // commit_merge -> vma_adjust_trans_huge: a boundary moving inside a huge PMD splits it.
  if (left && end !== mid.end) splitHugePmdAt(mm, end);
  if (right && !left && start !== mid.start) splitHugePmdAt(mm, start);
  const sticky = stickyOf(prev && left ? prev : undefined, mid, next && right ? next : undefined);
  const anon = (left ? prev!.anonVma : null) ?? mid.anonVma ?? (right ? next!.anonVma : null);
  if (left && right) {
    const p = prev!, n = next!;
    mm.vmas.remove(mid); mm.vmas.remove(n);
    mm.vmas.setEnd(p, n.end);
    p.flags = flags | sticky; p.anonVma = anon;
    return p;
  }
  if (left) {
    const p = prev!;
    if (end === mid.end) mm.vmas.remove(mid);
    else { mid.pgoff = mid.index(end); mm.vmas.setStart(mid, end); }
    mm.vmas.setEnd(p, end);
    p.flags = flags | sticky; p.anonVma = anon;
    return p;
  }
  const n = next!;
  if (start === mid.start) mm.vmas.remove(mid);
  else mm.vmas.setEnd(mid, start);
  n.pgoff = n.pgoff - (n.start - start);
  mm.vmas.setStart(n, start);
  n.flags = flags | sticky; n.anonVma = anon;
  return n;
}

/**
 * mm/vma.c:vma_modify_flags: give [start, end) (inside vma) the flags `flags`.
 * Tries to merge with a neighbour first, otherwise splits at start then at end;
 * each split may fail with ENOMEM at max_map_count, leaving earlier splits done.
 */
export function vmaModifyFlags(mm: Mm, vma: Vma, start: number, end: number, flags: number): Vma | Errno {
  const merged = mergeExisting(mm, vma, start, end, flags);
  if (merged) return merged;
  let v = vma;
  if (v.start < start) {
    const r = splitVma(mm, v, start, true);
    if (typeof r === 'string') return r;
    v = r;
  }
  if (v.end > end) {
    const r = splitVma(mm, v, end, true);
    if (typeof r === 'string') return r;
  }
  v.flags = flags | (v.flags & VM_STICKY);
  return v;
}

/**
 * mm/vma.c:vma_merge_new_range, else insert: place a new VMA (not yet in the
 * tree) and return the VMA that now covers its range.
 */
export function insertVma(mm: Mm, v: Vma, notInto?: Vma, notNextTo = false): Vma {
  const prev = mm.vmas.before(v.start);
  const next = mm.vmas.find(v.start);
  // notNextTo: no merge at all when notInto is a neighbour (a 6.1 DONTUNMAP copy).
  const noMerge = notNextTo && !!notInto && ((prev === notInto && prev.end === v.start) || (next === notInto && next.start === v.end));
  // Before 6.16 (Behaviour.mergeIntoAnonless) a VMA with an anon_vma (copy_vma's, mremap) does not
  // merge into a neighbour without one: the same is_mergeable_anon_vma test as mergeExisting's.
  // notInto: a neighbour the caller forbids (copy_vma's DONTUNMAP source before 6.15).
  const refused = (target: Vma): boolean => target === notInto || (!mm.system.profile.behaviour.mergeIntoAnonless && !target.anonVma && !!v.anonVma)
    || (!mm.system.profile.behaviour.mergeWithCloseHook && !canMergeRemove(target));
  const left = !noMerge && !!prev && prev.end === v.start && canMerge(prev, v) && !refused(prev);
  let right = !noMerge && !!next && next.start === v.end && canMerge(v, next) && !refused(next);
  if (left && right && prev!.anonVma && next!.anonVma && prev!.anonVma !== next!.anonVma) right = false;
  if (left && right) {
    mm.vmas.remove(next!);
    mm.vmas.setEnd(prev!, next!.end);
    prev!.anonVma ??= next!.anonVma;
    // vma_expand: removing next keeps its VM_STICKY bits (a guarded next's `gu`; fuzz seed
    // 20261205 #11156, observed on 6.18.44).
    prev!.flags |= stickyOf(next, v);
    return prev!;
  }
  if (left) { mm.vmas.setEnd(prev!, v.end); prev!.flags |= stickyOf(v); return prev!; }
  if (right) { next!.flags |= stickyOf(v); next!.pgoff = v.pgoff; mm.vmas.setStart(next!, v.start); return next!; }
  mm.vmas.insert(v);
  return v;
}

/** Drop the PTEs of [start, end) (zap_page_range_single / unmap_vmas). Guard markers survive MADV_DONTNEED. */
export function zapRange(mm: Mm, start: number, end: number, keepGuards = false): void {
  const guards: Array<[number, number]> = [];
  beforeZap(mm, start, end);
  mm.pt.unmap(start, end, (s, e, obj, base) => {
    if (obj === GUARD_MARKER) { if (keepGuards) guards.push([s, e]); return; }
    freeIfUnmapped(mm, obj, base, base + (e - s));
  });
  for (const [s, e] of guards) mm.pt.map(s, e, GUARD_MARKER, s);
}

/** Anonymous pages nobody maps any more are freed: forget what was written to them. */
function freeIfUnmapped(mm: Mm, obj: MemObject, start: number, end: number): void {
  if (obj.kind !== 'anon' || !obj.written) return;
  if (obj.tables.size === 1 && obj.tables.has(mm.pt)) obj.dropContents(start, end);
}

/**
 * mm/vma.c:do_vmi_munmap on a validated page range. A split strictly inside one
 * VMA needs headroom below max_map_count (vms_gather_munmap_vmas); cutting a head
 * or tail does not. Accounting: locked_vm and total_vm drop by what is removed.
 */
export function doMunmap(t: Task, start: number, end: number): KRet {
  const mm = t.mm;
  let vma = mm.vmas.find(start);
  if (!vma || vma.start >= end) return 0;
  if (start > vma.start) {
    if (end < vma.end && mm.mapCount >= mm.system.maxMapCount) return 'ENOMEM';
    vma = splitVma(mm, vma, start, false) as Vma;
  }
  const victims: Vma[] = [];
  for (let v: Vma | undefined = vma; v && v.start < end; v = mm.vmas.next(v)) {
    if (v.end > end) splitVma(mm, v, end, false);
    victims.push(v);
  }
  for (const v of victims) removeVma(mm, v);
  freePgtables(mm, start, end);
  return 0;
}

/**
 * The split steps of vms_gather_munmap_vmas alone (mmap MAP_FIXED runs them before
 * its may_expand_vm check; on failure the VMAs are reattached but the splits stay,
 * as observed on 6.18.44).
 */
export function gatherSplits(t: Task, start: number, end: number): KRet {
  const mm = t.mm;
  const vma = mm.vmas.find(start);
  if (!vma || vma.start >= end) return 0;
  if (start > vma.start) {
    if (end < vma.end && mm.mapCount >= mm.system.maxMapCount) return 'ENOMEM';
    splitVma(mm, vma, start, false);
  }
  const last = mm.vmas.find(end - 1);
  if (last && last.start < end && last.end > end) splitVma(mm, last, end, false);
  return 0;
}

/** Remove one whole VMA with its accounting and PTEs (vms_complete_munmap_vmas, remove_vma). */
export function removeVma(mm: Mm, v: Vma): void {
  const charge = mm.system.profile.hooks.charge;
  if (charge) {
    const [l, p] = charge(v.flags, v.pages);
    mm.lockedVm -= l;
    mm.pinnedVm -= p;
  } else if (v.flags & VM_LOCKED) mm.lockedVm -= v.pages;
  mm.statAccount(v.flags, -v.pages);
  zapRange(mm, v.start, v.end);
  mm.vmas.remove(v);
}
