// Linux: mm/mremap.c (linux-6.18, after the 2025 move_vma refactoring) —
// check_mremap_params, check_prep_vma, mremap_at (shrink / expand in place /
// move), mremap_to (MREMAP_FIXED, MREMAP_DONTUNMAP), move_vma, vrm_stat_account,
// dontunmap_complete, unmap_source_vma; populate of the grown part of a locked VMA.
import { MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE, PAGE_SHIFT, PAGE_SIZE_N, PTRS_PER_PTE, TASK_SIZE_PAGES } from './constants.js';
import { err, ok, type Errno, type SysResult } from './errno.js';
import { mmPopulate } from './gup.js';
import { beforeMove } from './huge-memory.js';
import { mayExpandVm, mlockFutureOk, type Task } from './mm.js';
import { getUnmappedArea } from './mmap.js';
import { doMunmap, insertVma, splitVma } from './vma-ops.js';
import { VM_DONTEXPAND, VM_HUGETLB, VM_LOCKED, VM_LOCKED_MASK, VM_MAYSHARE, VM_PFNMAP, VM_SHARED, type Vma } from './vma.js';

const TASK_SIZE = BigInt(TASK_SIZE_PAGES) << BigInt(PAGE_SHIFT);
const align = (b: bigint): bigint => ((b + PAGE_SIZE_N - 1n) / PAGE_SIZE_N) * PAGE_SIZE_N;

interface Remap {
  t: Task; addr: number; oldLen: number; newLen: number; flags: number; newAddr: number;
  vma?: Vma; delta: number; populateExpand: boolean;
  /** vm_flags of the source VMA when the call was checked. */
  srcFlags: number;
  /** The MREMAP_FIXED destination is already unmapped (mremapToUnmapFirst). */
  destUnmapped?: boolean;
}

/** What a patch changes in mremap: extra valid flag bits, and the populate step after a successful call. */
export interface MremapExt {
  extraFlags?: bigint;
  /** Replaces "populate the grown part of a locked VMA"; pages, after the move/resize. */
  populate?(t: Task, done: { addr: number; oldLen: number; newLen: number; newAddr: number; flags: number; srcFlags: number }): void;
}

/** mm/mremap.c:vrm_stat_account: total_vm and (if the source is VM_LOCKED) locked_vm. */
function statAccount(r: Remap, pages: number): void {
  r.t.mm.statAccount(r.vma!.flags, pages);
  if (r.vma!.flags & VM_LOCKED) r.t.mm.lockedVm += pages;
}

/** mm/mremap.c:move_vma: copy the VMA to newAddr, move the page tables, then unmap or DONTUNMAP the source. */
function moveVma(r: Remap): number | Errno {
  const mm = r.t.mm;
  if (mm.mapCount >= mm.system.maxMapCount - 3) return 'ENOMEM';
  let src = r.vma!;
  const b = r.t.system.profile.behaviour;
  // Before 6.15 (Behaviour.dontunmapUnlocksWholeVma) DONTUNMAP of part of a locked VMA splits
  // that part off, and only it loses the lock (Debian 6.12 guest).
  if (r.flags & MREMAP_DONTUNMAP && !b.dontunmapUnlocksWholeVma && src.flags & VM_LOCKED_MASK) {
    if (src.start < r.addr) {
      const upper = splitVma(mm, src, r.addr, false);
      if (typeof upper === 'string') return upper;
      src = upper;
    }
    if (src.end > r.addr + r.oldLen) splitVma(mm, src, r.addr + r.oldLen, false);
    r.vma = src;
  }
  const copy = src.clone();
  copy.start = r.newAddr; copy.end = r.newAddr + r.newLen; copy.pgoff = src.index(r.addr);
  // mm/vma.c:copy_vma: an anonymous VMA never faulted (no anon_vma) takes the pgoff of
  // its new address, so that it can merge with its new neighbours.
  if (src.isAnonymous() && !src.anonVma) copy.pgoff = r.newAddr;
  const pieces = mm.pt.pieces(r.addr, r.addr + r.oldLen);
  const srcStart = src.start;
  // Before 6.15 (Behaviour.dontunmapMergesSource) a DONTUNMAP copy never merges into its source.
  const keepApart = r.flags & MREMAP_DONTUNMAP && !b.dontunmapMergesSource;
  // Before 6.12 (Behaviour.dontunmapCopyMerges) a DONTUNMAP copy next to its source merges with
  // neither neighbour (6.1 guest).
  const placed = insertVma(mm, copy, keepApart ? src : undefined, !!(r.flags & MREMAP_DONTUNMAP) && !b.dontunmapCopyMerges);
  // copy_vma: "Source vma may have been merged into new_vma" — from here on the
  // source is the merged VMA (dontunmap_complete clears its lock bits).
  if (srcStart >= placed.start && srcStart < placed.end) { src = placed; r.vma = placed; }
  const hugeMoved = beforeMove(mm, r.addr, r.oldLen, r.newAddr, canRealign(r, src, placed));
  mm.pt.unmap(r.addr, r.addr + r.oldLen);
  for (const p of pieces) mm.pt.map(p.start - r.addr + r.newAddr, p.end - r.addr + r.newAddr, p.obj, p.base);
  hugeMoved();
  statAccount(r, r.newLen);
  if (r.flags & MREMAP_DONTUNMAP) {
    // dontunmap_complete clears the lock bits of the whole source VMA, without a split
    // (observed on 6.18.44: moving 1 page of a 2-page VMA leaves it one VMA) and
    // without touching locked_vm (VM_ACCOUNT stays: "ac" observed). vrm_stat_account
    // has already added newLen, so what the source VMA held stays counted: the leak.
    if (src.flags & VM_LOCKED) {
      strandMlock(r.t, src);
      if (r.t.system.profile.behaviour.dontunmapLeaksLockedVm) mm.lockedVmLeak += src.pages;
      else {
        // Before the 2025 refactoring the DONTUNMAP path skipped `locked_vm += new_len`
        // ("Because we won't unmap we don't need to touch locked_vm"): unchanged, so only
        // the part of the source VMA that did not move stays counted without a lock.
        mm.lockedVm -= r.newLen;
        mm.lockedVmLeak += src.pages - r.newLen;
      }
    }
    src.flags &= ~VM_LOCKED_MASK;
    // dontunmap_complete (6.18): when the whole source VMA moved to another VMA,
    // unlink_anon_vmas leaves it without an anon_vma — what later merges see, and
    // mprotect_fixup, which then gives VM_ACCOUNT back on losing write (fuzz seed 3000 #4254).
    if (src !== placed && r.addr === src.start && r.addr + r.oldLen === src.end) src.anonVma = null;
  } else if (r.oldLen > 0) {
    doMunmap(r.t, r.addr, r.addr + r.oldLen);
  }
  return r.newAddr;
}

/**
 * mm/mremap.c:try_realign_addr -> can_realign_addr / can_align_down (linux-6.18): when
 * the range reaches the next PMD boundary, source and destination sit at the same
 * offset in their blocks, both VMAs start there and nothing is mapped below them in
 * the block, move_page_tables starts at the block starts, so the first block's table
 * moves whole (move_normal_pmd) and the source block is left without one (observed
 * on 6.18.44 after a DONTUNMAP move: fault-around past EOF in the source maps nothing).
 */
function canRealign(r: Remap, src: Vma, placed: Vma): boolean {
  const mm = r.t.mm, off = r.addr % PTRS_PER_PTE;
  if (src.flags & VM_HUGETLB || off === 0 || r.newAddr % PTRS_PER_PTE !== off) return false;
  if (r.oldLen < PTRS_PER_PTE - off) return false;
  if (src.start !== r.addr || placed.start !== r.newAddr || src === placed) return false;
  return mm.vmas.overlapping(r.addr - off, r.addr).length === 0
    && mm.vmas.overlapping(r.newAddr - off, r.newAddr).length === 0;
}

/**
 * dontunmap_complete clears VM_LOCKED with vm_flags_clear, not mlock_fixup: no
 * munlock_vma_pages_range walk, so the folios the source VMA still maps, page cache
 * and anonymous, stay mlocked (observed on 6.18.44: MADV_PAGEOUT then reclaims none
 * of them; MADV_FREE does not make the anonymous ones lazyfree).
 */
function strandMlock(t: Task, src: Vma): void {
  t.mm.pt.forEachIn(src.start, src.end, (a, b, obj, base) => {
    // mlock_count 1: the source VMA's mlock (a page another locked VMA maps too
    // would count more; not modelled).
    if (obj.countsRss) obj.strandedMlock.add(base, base + b - a);
  });
}

/** mm/mremap.c:vrm_set_new_addr. */
function setNewAddr(r: Remap): Errno | 0 {
  const v = r.vma!;
  const fixed = (r.flags & MREMAP_FIXED) !== 0;
  const a = getUnmappedArea(r.t, r.newAddr, r.newLen, fixed ? 0x10 : 0);
  if (a < 0) return 'ENOMEM';
  void v;
  r.newAddr = a;
  return 0;
}

/** mm/mremap.c:check_prep_vma. */
function checkPrepVma(r: Remap): Errno | 0 {
  const t = r.t, v = t.mm.vmas.lookup(r.addr);
  if (!v) return 'EFAULT';
  r.vma = v;
  r.srcFlags = v.flags;
  r.delta = Math.abs(r.newLen - r.oldLen);
  const impliesNew = (r.flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0;
  if (!impliesNew) r.newAddr = r.addr;
  if (!(r.newLen > r.oldLen || impliesNew)) return 0;
  if (r.oldLen === 0 && !(v.flags & (VM_SHARED | VM_MAYSHARE))) return 'EINVAL';
  if (r.flags & MREMAP_DONTUNMAP && v.flags & (VM_DONTEXPAND | VM_PFNMAP)) return 'EINVAL';
  // With MREMAP_FIXED a shrink unmaps the tail first (mremap_to), so only the kept
  // part must lie in this VMA (observed: moving 1 page out of a 2-page range that
  // spans two VMAs succeeds on 6.18.44).
  const kept = impliesNew && r.newLen < r.oldLen ? r.newLen : r.oldLen;
  if (kept > v.end - r.addr) return 'EFAULT';
  // mm/mremap.c:check_prep_vma (6.18): `if (new_len <= old_len) return 0;` — a shrink
  // (moved by MREMAP_FIXED or not) maps nothing new, so neither mlock_future_ok nor
  // may_expand_vm is asked (fuzz seed 1000 #4670 ENOMEM, #13969 EAGAIN).
  if (r.newLen <= r.oldLen) return 0;
  if (v.flags & VM_LOCKED) r.populateExpand = true;
  if (v.flags & (VM_DONTEXPAND | VM_PFNMAP)) return 'EFAULT';
  if (!mlockFutureOk(t, v.flags, r.delta)) return 'EAGAIN';
  if (!mayExpandVm(t, v.flags, r.delta)) return 'ENOMEM';
  return 0;
}

/** mm/mremap.c:expand_vma: in place when the pages after the VMA are free, else move (MAYMOVE). */
function expandVma(r: Remap): number | Errno {
  const mm = r.t.mm, v = r.vma!;
  if (r.addr + r.oldLen === v.end) {
    const end = v.end + r.delta;
    const blocker = mm.vmas.intersection(v.end, end);
    if (!blocker && end <= TASK_SIZE_PAGES) {
      // vma_merge_extend: grow, merging with the next VMA if it now touches and matches.
      mm.vmas.setEnd(v, end);
      const next = mm.vmas.next(v);
      const placed = next && next.start === end ? insertMergeNext(r.t, v) : v;
      r.vma = placed;
      statAccount(r, r.delta);
      return r.addr;
    }
  }
  if (!(r.flags & MREMAP_MAYMOVE)) return 'ENOMEM';
  r.newAddr = 0;
  const e = setNewAddr(r);
  if (e) return e;
  return moveVma(r);
}

function insertMergeNext(t: Task, v: Vma): Vma {
  const mm = t.mm;
  mm.vmas.remove(v);
  return insertVma(mm, v);
}

/** SYSCALL_DEFINE5(mremap). Returns the new address. */
export function sysMremap(t: Task, addrB: bigint, oldLenB: bigint, newLenB: bigint, flagsB: bigint, newAddrB: bigint): SysResult {
  const o = t.system.profile.syscalls.mremap;
  return o ? o(t, addrB, oldLenB, newLenB, flagsB, newAddrB) : doMremap(t, addrB, oldLenB, newLenB, flagsB, newAddrB);
}

/** The mainline mremap, with the changes a patch makes (`ext`). */
export function doMremap(t: Task, addrB: bigint, oldLenB: bigint, newLenB: bigint, flagsB: bigint, newAddrB: bigint, ext: MremapExt = {}): SysResult {
  const flags = Number(flagsB & 0xffffffffn);
  // MREMAP_DONTUNMAP arrived in v5.7 (e346b3813067).
  const dontunmap = t.system.profile.behaviour.mremapDontunmap ? MREMAP_DONTUNMAP : 0;
  if (flagsB & ~(BigInt(MREMAP_FIXED | MREMAP_MAYMOVE | dontunmap) | (ext.extraFlags ?? 0n))) return err('EINVAL');
  if (addrB % PAGE_SIZE_N) return err('EINVAL');
  const oldLen = align(oldLenB), newLen = align(newLenB);
  if (newLen === 0n || newLen >> 64n) return err('EINVAL');
  const impliesNew = (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0;
  const mm = t.mm;
  const b = t.system.profile.behaviour;
  if (!b.mremapChecksFirst && b.mremapLooksUpFirst) {
    // 5.16 ≤ v < 6.17: the flag checks, then vma_lookup (EFAULT), then mremap_to's checks.
    if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) return err('EINVAL');
    if (flags & MREMAP_DONTUNMAP && (!(flags & MREMAP_MAYMOVE) || oldLen !== newLen)) return err('EINVAL');
    if (addrB >= TASK_SIZE || !mm.vmas.lookup(Number(addrB >> 12n))) return err('EFAULT');
  }
  if (newLen > TASK_SIZE) return err('EINVAL');
  if (impliesNew) {
    if (newAddrB > TASK_SIZE - newLen) return err('EINVAL');
    if (newAddrB % PAGE_SIZE_N) return err('EINVAL');
    if (!(flags & MREMAP_MAYMOVE)) return err('EINVAL');
    if (flags & MREMAP_DONTUNMAP && oldLen !== newLen) return err('EINVAL');
    if (flags & MREMAP_FIXED && addrB + oldLen > newAddrB && newAddrB + newLen > addrB) return err('EINVAL');
    if (mm.mapCount + 2 >= mm.system.maxMapCount - 3) return err('ENOMEM');
  }
  if (addrB >= TASK_SIZE) return err('EFAULT');
  const r: Remap = {
    t, addr: Number(addrB >> 12n), oldLen: Number(oldLen >> 12n), newLen: Number(newLen >> 12n), flags,
    newAddr: Number(newAddrB >> 12n), delta: 0, populateExpand: false, srcFlags: 0,
  };
  let res: number | Errno;
  // do_mremap: vrm_move_only (MREMAP_FIXED, no resize) goes through remap_move.
  if (flags & MREMAP_FIXED && r.oldLen === r.newLen && t.system.profile.behaviour.mremapMovesVmas) res = remapMove(r);
  else if (impliesNew && !t.system.profile.behaviour.mremapChecksFirst) res = mremapToUnmapFirst(r);
  else {
    const e = checkPrepVma(r);
    if (e) return err(e);
    res = impliesNew ? mremapTo(r) : mremapAt(r);
  }
  if (typeof res === 'string') return err(res);
  if (ext.populate) ext.populate(t, { addr: r.addr, oldLen: r.oldLen, newLen: r.newLen, newAddr: res, flags, srcFlags: r.srcFlags });
  else if (r.populateExpand) mmPopulate(t, r.newAddr + r.oldLen, r.newAddr + r.oldLen + r.delta, true);
  return ok(BigInt(res) << 12n, true);
}

/** mm/mremap.c:mremap_at: no-op, shrink in place, or expand (in place or moved). */
function mremapAt(r: Remap): number | Errno {
  if (r.newLen === r.oldLen) return r.addr;
  if (r.newLen < r.oldLen) {
    const u = doMunmap(r.t, r.addr + r.newLen, r.addr + r.oldLen);
    return u ? u : r.addr;
  }
  return expandVma(r);
}

/**
 * mm/mremap.c:remap_move (v6.17, d23cb648e365 "mm/mremap: permit mremap() move of
 * multiple VMAs"): each VMA of [addr, addr+len) is checked and moved on its own
 * (check_prep_vma, mremap_to), the gaps between them kept at the destination. A gap
 * at the start is EFAULT; an error stops the walk with the earlier VMAs moved.
 * vma_multi_allowed refuses uffd-armed VMAs and files with their own
 * get_unmapped_area (shmem, hugetlbfs and thp files pass): of the model's VMAs, System V
 * shm (shm_file_operations.get_unmapped_area, shm_vm_ops is not shmem's). Such a VMA
 * is EFAULT when it is not the first or when the range goes on past it, gap or not
 * ("mm/mremap: catch invalid multi VMA moves earlier", 6.18).
 */
function remapMove(r: Remap): number | Errno {
  const mm = r.t.mm, start = r.addr, end = r.addr + r.oldLen;
  let target = r.newAddr, res: number | Errno = 'EFAULT', lastEnd = 0, seen = false;
  let v = mm.vmas.intersection(start, end);
  while (v && v.start < end) {
    const addr = Math.max(v.start, start), len = Math.min(end, v.end) - addr;
    if (!seen && start < v.start) return 'EFAULT';
    if (v.shm && !(v.flags & VM_HUGETLB) && (seen || v.end < end)) return 'EFAULT';
    const offset = seen ? v.start - lastEnd : 0;
    lastEnd = v.end;
    const piece: Remap = { ...r, addr, oldLen: len, newLen: len, newAddr: target + offset, vma: v, delta: 0, populateExpand: false };
    const e = checkPrepVma(piece);
    if (e) return e;
    if (!seen) r.srcFlags = piece.srcFlags;
    const moved = mremapTo(piece);
    if (typeof moved === 'string') return moved;
    if (!seen) res = moved;
    seen = true;
    target = moved + len;
    // The next source VMA starts at or after this piece's end (a merge may have grown this one).
    v = mm.vmas.find(addr + len);
    if (v && v.start < addr + len) v = mm.vmas.next(v);
  }
  return res;
}

/**
 * mm/mremap.c:mremap_to before "mm/mremap: check remap conditions earlier" (v6.17, the series of
 * d23cb648e365): MREMAP_FIXED unmaps the destination and a shrink unmaps the tail first, and only
 * then does vma_to_resize check the source (EFAULT, EINVAL for old_len 0 of a private mapping,
 * EAGAIN, ENOMEM): a refused call has already unmapped them (fuzz in Debian's 6.12 guest).
 */
function mremapToUnmapFirst(r: Remap): number | Errno {
  const t = r.t;
  if (r.flags & MREMAP_FIXED) {
    const u = doMunmap(t, r.newAddr, r.newAddr + r.newLen);
    if (u) return u;
  }
  if (r.newLen < r.oldLen) {
    const u = doMunmap(t, r.addr + r.newLen, r.addr + r.oldLen);
    if (u) return u;
    r.oldLen = r.newLen;
  }
  const e = checkPrepVma(r);
  if (e) return e;
  r.destUnmapped = true;
  return mremapTo(r);
}

/** mm/mremap.c:mremap_to. */
function mremapTo(r: Remap): number | Errno {
  const t = r.t, mm = t.mm;
  if (r.flags & MREMAP_FIXED && !r.destUnmapped) {
    const u = doMunmap(t, r.newAddr, r.newAddr + r.newLen);
    if (u) return u;
    r.vma = mm.vmas.lookup(r.addr);
    if (!r.vma) return 'EFAULT';
  }
  if (r.newLen < r.oldLen) {
    const u = doMunmap(t, r.addr + r.newLen, r.addr + r.oldLen);
    if (u) return u;
    r.oldLen = r.newLen;
  }
  if (r.flags & MREMAP_DONTUNMAP && !mayExpandVm(t, r.vma!.flags, r.oldLen)) return 'ENOMEM';
  const e = setNewAddr(r);
  if (e) return e;
  return moveVma(r);
}
