// Scenario processes on the model: a task plus its region bindings. Addresses in
// the IR are region-relative; only the process holding a binding knows its base.
import type { Addr, Len } from '../../../schema/generated/types.js';
import { PAGE_SIZE, type Task } from '../../../runtime/index.js';

const U64 = 1n << 64n;
export const mod64 = (v: bigint): bigint => ((v % U64) + U64) % U64;

export interface Region { base: bigint; len: bigint }

export class ScenarioError extends Error {}

export class Proc {
  /** User bindings (mmap/mremap/memfd_secret `name = …`); they shadow built-ins. */
  regions = new Map<string, Region>();
  /** The program break when this image started (the `heap` region's base). */
  initialBrk = 0;
  constructor(public task: Task) {}

  /** Built-in regions, resolved now: heap, stack, vdso, vvar. */
  builtin(name: string): Region | undefined {
    const mm = this.task.mm;
    if (name === 'heap') {
      const len = mm.brk - this.initialBrk;
      return { base: BigInt(this.initialBrk), len: BigInt(Math.max(0, len)) };
    }
    let want: ((v: { special: string | null; start: number; end: number }) => boolean) | undefined;
    if (name === 'stack') want = (v) => mm.startStack >= 0 && v.start <= mm.startStack && v.end > mm.startStack;
    else if (name === 'vdso') want = (v) => v.special === 'vdso';
    else if (name === 'vvar') want = (v) => v.special === 'vvar';
    if (!want) return undefined;
    for (const v of mm.vmas.toArray()) {
      if (want(v)) return { base: BigInt(v.start) * BigInt(PAGE_SIZE), len: BigInt(v.end - v.start) * BigInt(PAGE_SIZE) };
    }
    return undefined;
  }

  region(name: string): Region {
    const r = this.regions.get(name) ?? this.builtin(name);
    if (!r) throw new ScenarioError(`region ${name} is not bound in process ${this.task.name}`);
    return r;
  }

  /** Every bound name, user bindings first (as the host executor reports them). */
  boundNames(): string[] {
    const names = [...this.regions.keys()];
    for (const b of ['heap', 'stack', 'vdso', 'vvar']) if (!this.regions.has(b) && this.builtin(b)) names.push(b);
    return names;
  }

  addr(a: Addr): bigint {
    const off = BigInt(a.offset);
    if (a.region === undefined) return mod64(off);
    const r = this.region(a.region);
    return mod64(r.base + (a.end ? r.len : 0n) + off);
  }

  len(l: Len): bigint {
    if (l.regionLen !== undefined) return this.region(l.regionLen).len;
    if (l.bytes !== undefined) return BigInt(l.bytes);
    throw new ScenarioError('length without bytes or region');
  }
}
