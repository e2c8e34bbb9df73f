// Scenario processes on the model: a task plus its region bindings. Addresses in
// the IR are region-relative; only the process holding a binding knows its base.
import type { Addr, Len } from '../../../schema/generated/types.js';
import { PAGE_SIZE, type Task } from '../../../runtime/index.js';

const U64 = 1n << 64n;
export const mod64 = (v: bigint): bigint => ((v % U64) + U64) % U64;

export interface Region { base: bigint; len: bigint }

export class ScenarioError extends Error {}

/** Region names every process has without binding them. */
const BUILTIN_NAMES = ['heap', 'stack', 'vdso', 'vvar'];

export class Proc {
  /** User bindings (mmap/mremap/memfd_secret `name = …`); they shadow built-ins. */
  regions = new Map<string, Region>();
  /** The program break when this image started (the `heap` region's base). */
  initialBrk = 0;
  constructor(public task: Task) {}

  /** Built-in regions, resolved now: heap, stack, vdso, vvar (absent ones left out). One walk over the VMAs. */
  builtins(): Map<string, Region> {
    const mm = this.task.mm, P = BigInt(PAGE_SIZE);
    const span = (v: { start: number; end: number }): Region => ({ base: BigInt(v.start) * P, len: BigInt(v.end - v.start) * P });
    let stack: Region | undefined, vdso: Region | undefined, vvar: Region | undefined;
    mm.vmas.forEach((v) => {
      if (!stack && mm.startStack >= 0 && v.start <= mm.startStack && v.end > mm.startStack) stack = span(v);
      else if (v.special === 'vdso') vdso ??= span(v);
      else if (v.special === 'vvar') vvar ??= span(v);
    });
    // In BUILTIN_NAMES order, whatever the address order.
    const out = new Map<string, Region>([['heap', { base: BigInt(this.initialBrk), len: BigInt(Math.max(0, mm.brk - this.initialBrk)) }]]);
    if (stack) out.set('stack', stack);
    if (vdso) out.set('vdso', vdso);
    if (vvar) out.set('vvar', vvar);
    return out;
  }

  region(name: string): Region {
    const r = this.regions.get(name) ?? (BUILTIN_NAMES.includes(name) ? this.builtins().get(name) : undefined);
    if (!r) throw new ScenarioError(`region ${name} is not bound in process ${this.task.name}`);
    return r;
  }

  /** Every bound region, user bindings first (as the host executor reports them), then the built-ins they do not shadow. */
  boundRegions(): Array<[string, Region]> {
    const out = [...this.regions];
    for (const [name, r] of this.builtins()) if (!this.regions.has(name)) out.push([name, r]);
    return out;
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
