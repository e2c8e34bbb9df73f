// Linux: fs/proc/task_mmu.c (linux-6.18) — task_mem (/proc/pid/status VmLck,
// VmPin, VmSize, VmRSS), show_smap / smaps_account / smaps_page_accumulate
// (Rss, Pss with PSS_SHIFT fixed point, Locked = PSS of pages of VM_LOCKED VMAs,
// Anonymous), show_smaps_rollup, show_map_vma names; mm/mincore.c (mincore
// reports a mapped PTE, or for file/shmem VMAs a page in the page cache).
// Views are rendered from the model on demand; nothing here mutates it.
import { PAGE_SIZE } from './constants.js';
import type { Mm, Task } from './mm.js';
import { anonHugeBytes } from './huge-memory.js';
import { GUARD_MARKER } from './pages.js';
import { RmapCache } from './rmap.js';
import { IntervalSet } from './interval-set.js';
import { VM_LOCKED, VM_LOCKONFAULT, vmFlagLetters, type Vma } from './vma.js';

const PSS_SHIFT = 12;
const PSS_ONE = PAGE_SIZE * 2 ** PSS_SHIFT;

export interface StatusView { VmLck: number; VmPin: number; VmSize: number; VmRSS: number }

/** /proc/pid/status, kB values converted to bytes. */
export function status(t: Task): StatusView {
  const mm = t.mm, r = mm.pt.rss;
  return {
    VmLck: mm.lockedVm * PAGE_SIZE,
    VmPin: mm.pinnedVm * PAGE_SIZE,
    VmSize: mm.totalVm * PAGE_SIZE,
    VmRSS: (r.anon + r.file + r.shmem) * PAGE_SIZE,
  };
}

export interface SmapsView {
  rss: number; pss: number; locked: number; anonymous: number;
  /** AnonHugePages: anonymous folios mapped by a PMD (huge-memory.ts). */
  anonHuge: number;
  /** Unrounded PSS sums (bytes << PSS_SHIFT) for smaps_rollup. */
  pssRaw: number; pssLockedRaw: number;
}

/** One VMA's smaps counters (show_smap), bytes as printed (kB granularity). */
export function smaps(t: Task, v: Vma, rmap = new RmapCache()): SmapsView {
  let rss = 0, anon = 0, pss = 0;
  t.mm.pt.forEachIn(v.start, v.end, (s, e, obj, base) => {
    if (!obj.countsRss) return;
    const n = e - s;
    rss += n;
    if (obj.isAnon) anon += n;
    const segs = rmap.segments(obj);
    if (!segs) { pss += n * PSS_ONE; return; }
    let covered = 0;
    for (const [a, b, c] of segs) {
      const lo = Math.max(a, base), hi = Math.min(b, base + n);
      if (lo >= hi) continue;
      covered += hi - lo;
      pss += (hi - lo) * (c >= 2 ? Math.floor(PSS_ONE / c) : PSS_ONE);
    }
    pss += (n - covered) * PSS_ONE;
  });
  const locked = v.flags & VM_LOCKED ? pss : 0;
  const kb = (x: number): number => Math.floor(x / 2 ** (PSS_SHIFT + 10)) * 1024;
  return {
    rss: rss * PAGE_SIZE, anonymous: anon * PAGE_SIZE, anonHuge: anonHugeBytes(t.mm, v), pss: kb(pss), locked: kb(locked),
    pssRaw: pss, pssLockedRaw: locked,
  };
}

/** smaps_rollup Locked: the PSS sums of all VMAs, rounded once. */
export function rollupLocked(t: Task): number {
  const rmap = new RmapCache();
  let raw = 0;
  t.mm.vmas.forEach((v) => { if (v.flags & VM_LOCKED) raw += smaps(t, v, rmap).pssLockedRaw; });
  return Math.floor(raw / 2 ** (PSS_SHIFT + 10)) * 1024;
}

/** VmFlags letters, minus "lf" on profiles older than v6.2. */
export function vmFlags(t: Task, v: Vma): string[] {
  const l = vmFlagLetters(v);
  return t.system.profile.behaviour.smapsShowsLockOnFault || !(v.flags & VM_LOCKONFAULT) ? l : l.filter((x) => x !== 'lf');
}

/** fs/proc/task_mmu.c:show_map_vma name column. */
export function vmaName(mm: Mm, v: Vma): string {
  if (v.file) return v.file.name;
  if (v.special) return `[${v.special}]`;
  const sb = Math.floor(mm.startBrk / PAGE_SIZE), b = Math.ceil(mm.brk / PAGE_SIZE);
  if (v.start <= b && v.end >= sb && mm.startBrk > 0) return '[heap]';
  if (mm.startStack >= 0 && v.start <= mm.startStack && v.end >= mm.startStack) return '[stack]';
  return v.name;
}

/** Lines of /proc/pid/maps: every VMA plus the gate VMA. */
export function mapsLineCount(mm: Mm): number { return mm.mapCount + (mm.gate ? 1 : 0); }

/** mincore over pages [start, end): resident pages as intervals of page numbers. */
export function mincore(mm: Mm, start: number, end: number): IntervalSet {
  const out = new IntervalSet();
  for (const v of mm.vmas.overlapping(start, end)) {
    const s = Math.max(v.start, start), e = Math.min(v.end, end);
    // can_do_mincore: a VMA with vm_ops but no file (vdso, vvar) is reported all resident.
    if (v.special) { out.add(s, e); continue; }
    mm.pt.forEachIn(s, e, (a, b, obj) => { if (obj !== GUARD_MARKER) out.add(a, b); });
    const f = v.file;
    if (f && f.kind !== 'hugetlb') {
      const is = v.index(s), ie = v.index(e);
      f.cache.forEachIn(is, ie, (a, b) => out.add(a - v.pgoff + v.start, b - v.pgoff + v.start));
    }
  }
  return out;
}

/** mm->def_flags lock bits, as `expect mcl_future` reads them. */
export function mclFuture(mm: Mm): 'off' | 'on' | 'onfault' {
  if (!(mm.defFlags & VM_LOCKED)) return 'off';
  return mm.defFlags & VM_LOCKONFAULT ? 'onfault' : 'on';
}
