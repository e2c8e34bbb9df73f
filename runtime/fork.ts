// Linux: kernel/fork.c:copy_mm / dup_mm and mm/mmap.c:dup_mmap (linux-6.18),
// mm/memory.c:copy_page_range / vma_needs_copy; exit: mm/mmap.c:exit_mmap.
import { forkHuge } from './huge-memory.js';
import { lazyfreeFork } from './lazyfree.js';
import type { RlimitName, Task } from './mm.js';
import { AnonVma, VM_DONTCOPY, VM_INIT_DEF_MASK, VM_LOCKED_MASK, VM_MAYBE_GUARD, VM_MIXEDMAP, VM_PFNMAP, VM_WIPEONFORK, type Vma } from './vma.js';

/**
 * dup_mmap: every VMA but VM_DONTCOPY ones is copied with VM_LOCKED_MASK cleared;
 * the child's locked_vm and pinned_vm start at 0 (mm_init) and def_flags keep only
 * VM_INIT_DEF_MASK, so MCL_FUTURE is not inherited. Page tables are copied (the
 * pages become shared copy-on-write) only where a fault could not refill them:
 * VMAs with an anon_vma or VM_PFNMAP/VM_MIXEDMAP/VM_MAYBE_GUARD, never for VM_WIPEONFORK.
 */
export function fork(parent: Task, childName: string): Task {
  const sys = parent.system;
  const child = sys.newTask(childName);
  const pm = parent.mm, cm = child.mm;
  child.creds = parent.creds;
  // A deep copy: setrlimit in one task must not reach the other.
  child.rlimits = { ...parent.rlimits };
  for (const k of Object.keys(child.rlimits) as RlimitName[]) child.rlimits[k] = { ...parent.rlimits[k] };
  cm.startBrk = pm.startBrk; cm.brk = pm.brk; cm.startStack = pm.startStack; cm.stackPointer = pm.stackPointer;
  cm.mmapBase = pm.mmapBase; cm.gate = pm.gate; cm.startData = pm.startData; cm.endData = pm.endData;
  cm.defFlags = pm.defFlags & VM_INIT_DEF_MASK;
  const copied: Vma[] = [];
  pm.vmas.forEach((v) => {
    if (v.flags & VM_DONTCOPY) return;
    const c = v.clone();
    c.flags &= ~VM_LOCKED_MASK;
    if (v.flags & VM_WIPEONFORK) c.anonVma = null;
    else if (v.anonVma) {
      // anon_vma_fork: each child VMA gets its own anon_vma, chained to the parent's.
      c.anonVma = new AnonVma(true);
    }
    cm.vmas.insert(c);
    cm.statAccount(c.flags, c.pages);
    if (v.flags & VM_WIPEONFORK) return;
    // mm/memory.c:vma_needs_copy: VM_COPY_ON_FORK (PFNMAP, MIXEDMAP, UFFD_WP and, since
    // guard regions, VM_MAYBE_GUARD: the markers must survive) or an anon_vma. A guard-
    // flagged shared VMA thus hands its present pages to the child (observed on 6.18.44).
    if (!(v.anonVma || v.flags & (VM_PFNMAP | VM_MIXEDMAP | VM_MAYBE_GUARD))) return;
    copied.push(c);
    for (const p of pm.pt.pieces(v.start, v.end)) {
      cm.pt.map(p.start, p.end, p.obj, p.base);
      // copy_present_page: anonymous pages the parent has pinned (FOLL_PIN) are copied
      // for the child at once, so the parent's stay exclusive.
      if (!p.obj.isAnon) continue;
      lazyfreeFork(pm.pt, cm.pt, p.obj, p.base, p.end - p.start);
      for (const pin of pm.pins) {
        const s = Math.max(p.start, pin.start), e = Math.min(p.end, pin.end);
        if (s >= e) continue;
        const base = cm.anon.allocate(e - s);
        for (let i = 0; i < e - s; i++) p.obj.copyPage(p.base + (s - p.start) + i, cm.anon, base + i);
        cm.pt.map(s, e, cm.anon, base);
      }
    }
  });
  forkHuge(pm, cm, copied);
  sys.profile.hooks.afterFork?.(parent, child);
  return child;
}

/** exit_mmap: the mm goes away with everything it maps. */
export function exitTask(t: Task): void {
  t.mm.pt.release();
  t.alive = false;
}
