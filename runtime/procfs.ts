// Linux: fs/proc/task_mmu.c (linux-6.18) — task_mem (/proc/pid/status VmLck,
// VmPin, VmSize, VmRSS), show_smap / smaps_account / smaps_page_accumulate
// (Rss, Pss with PSS_SHIFT fixed point, Locked = PSS of pages of VM_LOCKED VMAs,
// Anonymous), show_smaps_rollup, show_map_vma names; mm/mincore.c (mincore
// reports a mapped PTE, or for file/shmem VMAs a page in the page cache).
// Views are rendered from the model on demand; nothing here mutates it.
import { PAGE_SIZE } from './constants.js';
import type { Mm, Task } from './mm.js';
import type { PageTable } from './page-table.js';
import type { MemObject } from './pages.js';
import { anonHugeBytes } from './huge-memory.js';
import { GUARD_MARKER } from './pages.js';
import { firstSegmentAfter, pssSegments } from './rmap.js';
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

/**
 * A VMA's page counts as last rendered. They hold while its page table has not
 * changed (PageTable.gen), nor its extent, nor the mapcounts of the objects it
 * maps (MemObject.rmapGen, externalMapcount): a snapshot after every step mostly
 * re-reads VMAs no step touched.
 */
interface Rendered {
  pt: PageTable; gen: number; start: number; end: number;
  objs: MemObject[]; objGens: number[]; objExts: number[];
  rss: number; anon: number; pss: number;
  /** The last view made from these counts (views are read, never written). */
  view: SmapsView | null;
}

function stillValid(r: Rendered, pt: PageTable, v: Vma): boolean {
  if (r.pt !== pt || r.gen !== pt.gen || r.start !== v.start || r.end !== v.end) return false;
  for (let i = 0; i < r.objs.length; i++) {
    const o = r.objs[i]!;
    if (o.rmapGen !== r.objGens[i] || o.externalMapcount !== r.objExts[i]) return false;
  }
  return true;
}

/** Rss, anonymous pages and PSS (fixed point) of v: smaps_account over its PTEs. */
function render(pt: PageTable, v: Vma): Rendered {
  const r: Rendered = { pt, gen: pt.gen, start: v.start, end: v.end, objs: [], objGens: [], objExts: [], rss: 0, anon: 0, pss: 0, view: null };
  let pss = 0;
  pt.forEachIn(v.start, v.end, (s, e, obj, base) => {
    if (!obj.countsRss) return;
    const n = e - s;
    r.rss += n;
    if (obj.isAnon) r.anon += n;
    if (!r.objs.includes(obj)) { r.objs.push(obj); r.objGens.push(obj.rmapGen); r.objExts.push(obj.externalMapcount); }
    const segs = pssSegments(obj);
    if (!segs) { pss += n * PSS_ONE; return; }
    // Segments are sorted and disjoint: start at the first one ending past base
    // (binary search), so a VMA costs O(runs log segments), not O(runs x segments).
    let covered = 0;
    for (let i = firstSegmentAfter(segs, base); i < segs.length; i++) {
      const [a, b, c] = segs[i]!;
      if (a >= base + n) break;
      const lo = Math.max(a, base), hi = Math.min(b, base + n);
      covered += hi - lo;
      pss += (hi - lo) * (c >= 2 ? Math.floor(PSS_ONE / c) : PSS_ONE);
    }
    pss += (n - covered) * PSS_ONE;
  });
  r.pss = pss;
  return r;
}

/** One VMA's smaps counters (show_smap), bytes as printed (kB granularity); read-only (shared between calls). */
export function smaps(t: Task, v: Vma): SmapsView {
  const pt = t.mm.pt;
  let r = v.rendered as Rendered | null;
  if (!r || !stillValid(r, pt, v)) v.rendered = r = render(pt, v);
  const locked = v.flags & VM_LOCKED ? r.pss : 0, anonHuge = anonHugeBytes(t.mm, v);
  const last = r.view;
  if (last && last.pssLockedRaw === locked && last.anonHuge === anonHuge) return last;
  return (r.view = {
    rss: r.rss * PAGE_SIZE, anonymous: r.anon * PAGE_SIZE, anonHuge, pss: kb(r.pss), locked: kb(locked),
    pssRaw: r.pss, pssLockedRaw: locked,
  });
}

/** PSS fixed point (bytes << PSS_SHIFT) to the kB-granular bytes procfs prints. */
const kb = (x: number): number => Math.floor(x / 2 ** (PSS_SHIFT + 10)) * 1024;

/**
 * smaps_rollup Locked: the PSS sums of all VMAs, rounded once. `known` holds
 * smaps views already rendered in this pass (a snapshot's regions).
 */
export function rollupLocked(t: Task, known?: ReadonlyMap<Vma, SmapsView>): number {
  let raw = 0;
  t.mm.vmas.forEach((v) => { if (v.flags & VM_LOCKED) raw += (known?.get(v) ?? smaps(t, v)).pssLockedRaw; });
  return kb(raw);
}

/** Flag letters by flags word (+ 2^32 when droppable): a VMA's letters are rendered for every snapshot. */
const lettersMemo = new Map<number, readonly string[]>();
const lettersNoLfMemo = new Map<number, readonly string[]>();

/**
 * VmFlags letters; before v6.2 (8614d6c5eda0 added the "lf" mnemonic) VM_LOCKONFAULT had no name
 * and fs/proc/task_mmu.c:show_smap_vma_flags printed its bit as "??" (seen on Debian's 6.1 guest).
 * A fresh array: observations own theirs.
 */
export function vmFlags(t: Task, v: Vma): string[] {
  const key = (v.flags >>> 0) + (v.droppable ? 2 ** 32 : 0);
  const noLf = !t.system.profile.behaviour.smapsShowsLockOnFault && (v.flags & VM_LOCKONFAULT) !== 0;
  const memo = noLf ? lettersNoLfMemo : lettersMemo;
  let l = memo.get(key);
  if (!l) {
    l = noLf ? vmFlagLetters(v).map((x) => (x === 'lf' ? '??' : x)) : vmFlagLetters(v);
    memo.set(key, l);
  }
  return l.slice();
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

/**
 * mincore over pages [start, end): resident pages as sorted, disjoint, non-adjacent
 * intervals [a, b) of page numbers (a fresh array). `overlapping`: the VMAs
 * overlapping [start, end) in address order, when the caller has them already.
 */
export function mincoreRanges(mm: Mm, start: number, end: number, overlapping = mm.vmas.overlapping(start, end)): Array<[number, number]> {
  const raw: Array<[number, number]> = [];
  let sorted = true;
  const add = (a: number, b: number): void => {
    if (a >= b) return;
    if (raw.length && a < raw[raw.length - 1]![0]) sorted = false;
    raw.push([a, b]);
  };
  for (const v of overlapping) {
    const s = Math.max(v.start, start), e = Math.min(v.end, end);
    // can_do_mincore: a VMA with vm_ops but no file (vdso, vvar) is reported all resident.
    if (v.special) { add(s, e); continue; }
    mm.pt.forEachIn(s, e, (a, b, obj) => { if (obj !== GUARD_MARKER) add(a, b); });
    const f = v.file;
    if (f && f.kind !== 'hugetlb') {
      const is = v.index(s), ie = v.index(e), d = v.start - v.pgoff;
      f.cache.forEachIn(is, ie, (a, b) => add(a + d, b + d));
    }
  }
  if (!sorted) raw.sort((x, y) => x[0] - y[0]);
  // The union, joined where pieces touch (as IntervalSet keeps it).
  const out: Array<[number, number]> = [];
  let last: [number, number] | undefined;
  for (const r of raw) {
    if (last && r[0] <= last[1]) { if (r[1] > last[1]) last[1] = r[1]; }
    else out.push((last = r));
  }
  return out;
}

/** mincore over pages [start, end): resident pages as intervals of page numbers. */
export function mincore(mm: Mm, start: number, end: number): IntervalSet {
  const out = new IntervalSet();
  for (const [a, b] of mincoreRanges(mm, start, end)) out.add(a, b);
  return out;
}

/** mm->def_flags lock bits, as `expect mcl_future` reads them. */
export function mclFuture(mm: Mm): 'off' | 'on' | 'onfault' {
  if (!(mm.defFlags & VM_LOCKED)) return 'off';
  return mm.defFlags & VM_LOCKONFAULT ? 'onfault' : 'on';
}
