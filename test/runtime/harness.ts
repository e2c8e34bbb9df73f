// Test harness for the model API: a System with one task, syscalls that assert
// the model's invariants after every step, and the /proc views scenarios read.
// Expected values in the tests come from the kernel (reference §11 [C] cases or
// probes on the test machine), never from the model.
import {
  DEFAULT_IMAGE, capSetEffective, MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, MemObject, PAGE_SIZE, System, Task, assertInvariants,
  loadEmpty, loadImage, mincore, rollupLocked, smaps, status, sysMmap, sysMunmap, vmFlags, type SysResult,
} from '../../runtime/index.js';
import type { MachineSettings } from '../../runtime/settings.js';

export const P = PAGE_SIZE;
export const Pn = BigInt(PAGE_SIZE);
export const KB = 1024;

export class World {
  readonly sys = new System();
  readonly t: Task;
  /** settings: the machine's (runtime/settings.ts), set before the image is loaded; stock by default. */
  constructor(image: 'empty' | 'default' = 'empty', settings: Partial<MachineSettings> = {}) {
    Object.assign(this.sys.settings, settings);
    this.t = this.sys.newTask('main');
    if (image === 'empty') loadEmpty(this.t); else loadImage(this.t, DEFAULT_IMAGE);
    assertInvariants(this.sys);
  }
  /** Check the invariants (after steps that are not SysResult calls: fork, exec, accesses). */
  check(): void { assertInvariants(this.sys); }
  /** Run a syscall on the model and check invariants right after it. */
  call(fn: () => SysResult): SysResult {
    const r = fn();
    assertInvariants(this.sys);
    return r;
  }
  /** Errno name, 'ok', or the signal. */
  res(fn: () => SysResult): string {
    const r = this.call(fn);
    return r.ok ? 'ok' : 'errno' in r ? r.errno : r.signal;
  }
  /** An isolated anonymous mapping of n pages: a one-page PROT_NONE hole-maker on both sides is unmapped again. */
  map(pages: number, prot = 3, flags = MAP_PRIVATE | MAP_ANONYMOUS, file: MemObject | null = null, task = this.t): bigint {
    const g = this.call(() => sysMmap(task, { addr: 0n, len: BigInt(pages + 2) * Pn, prot: 0, flags: MAP_PRIVATE | MAP_ANONYMOUS, file: null, offset: 0n }));
    if (!g.ok) throw new Error('guard mmap failed');
    const r = this.call(() => sysMmap(task, { addr: g.value + Pn, len: BigInt(pages) * Pn, prot, flags: flags | 0x10, file, offset: 0n }));
    if (!r.ok) throw new Error(`mmap failed: ${JSON.stringify(r)}`);
    // Punch the guard pages: holes on both sides.
    this.call(() => sysMunmap(task, g.value, Pn));
    this.call(() => sysMunmap(task, g.value + BigInt(pages + 1) * Pn, Pn));
    return r.value;
  }
  file(name: string, bytes: number): MemObject {
    const f = new MemObject('file', `/tmp/mls/${name}`);
    f.sizeBytes = BigInt(bytes);
    f.cache.add(0, Math.ceil(bytes / P));
    this.sys.files.set(name, f);
    return f;
  }
  mapShared(pages: number, prot = 3): bigint { return this.map(pages, prot, MAP_SHARED | MAP_ANONYMOUS); }
  noCap(limitBytes: bigint, task = this.t): void {
    capSetEffective(task, 'ipc_lock', false);
    task.rlimits.memlock = { cur: limitBytes, max: limitBytes };
  }
  vmLck(task = this.t): number { return status(task).VmLck; }
  /** VMAs overlapping [addr, addr+len) with smaps counters and VmFlags. */
  vmas(addr: bigint, len: bigint, task = this.t) {
    const s = Number(addr / Pn), e = Number((addr + len + Pn - 1n) / Pn);
    return task.mm.vmas.overlapping(s, e).map((v) => ({ start: v.start, end: v.end, flags: vmFlags(task, v), ...smaps(task, v) }));
  }
  one(addr: bigint, task = this.t) { const v = this.vmas(addr, 1n, task); if (v.length !== 1) throw new Error('no VMA'); return v[0]!; }
  rss(addr: bigint, len: bigint, task = this.t): number { return this.vmas(addr, len, task).reduce((a, v) => a + v.rss, 0); }
  resident(addr: bigint, pages: number, task = this.t): string {
    const s = Number(addr / Pn);
    const set = mincore(task.mm, s, s + pages);
    let out = '';
    for (let i = 0; i < pages; i++) out += set.has(s + i) ? '#' : '.';
    return out;
  }
  rollup(task = this.t): number { return rollupLocked(task); }
}
