// Scenario processes on the model: a task plus its region bindings. Addresses in
// the IR are region-relative; only the process holding a binding knows its base.
import type { Addr, Len } from '../../../schema/generated/types.js';
import { PAGE_SIZE, type Task } from '../../../runtime/index.js';
import type { Vma } from '../../../runtime/vma.js';

const U64 = 1n << 64n;
export const mod64 = (v: bigint): bigint => (v >= 0n && v < U64 ? v : ((v % U64) + U64) % U64);

export interface Region { base: bigint; len: bigint }

/** A mistake in the scenario, reported by message: no stack trace is captured (scenarios end with one often). */
export class ScenarioError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/**
 * Decimal IR numbers parsed once per IR node: a fuzz or watch run executes the same
 * compiled steps again and again (the IR is never mutated once compiled).
 */
const numbers = new WeakMap<object, bigint>();
function parsed(node: object, text: string | number): bigint {
  let v = numbers.get(node);
  if (v === undefined) numbers.set(node, (v = BigInt(text)));
  return v;
}

/** Region names every process has without binding them. */
const BUILTIN_NAMES = ['heap', 'stack', 'vdso', 'vvar'];

export class Proc {
  /** User bindings (mmap/mremap/memfd_secret `name = …`); they shadow built-ins. */
  regions = new Map<string, Region>();
  /** The program break when this image started (the `heap` region's base). */
  initialBrk = 0;
  constructor(public task: Task) {}

  /**
   * Built-in regions, resolved now: [name, base, len] in bytes (exact numbers: user
   * addresses are below 2^47), heap, stack, vdso, vvar in that order (absent ones
   * left out). One walk over the VMAs.
   */
  builtinSpans(): Array<[string, number, number]> {
    const mm = this.task.mm;
    let stack: Vma | undefined, vdso: Vma | undefined, vvar: Vma | undefined;
    mm.vmas.forEach((v) => {
      if (!stack && mm.startStack >= 0 && v.start <= mm.startStack && v.end > mm.startStack) stack = v;
      else if (v.special === 'vdso') vdso ??= v;
      else if (v.special === 'vvar') vvar ??= v;
    });
    // In BUILTIN_NAMES order, whatever the address order.
    const out: Array<[string, number, number]> = [['heap', this.initialBrk, Math.max(0, mm.brk - this.initialBrk)]];
    if (stack) out.push(['stack', stack.start * PAGE_SIZE, (stack.end - stack.start) * PAGE_SIZE]);
    if (vdso) out.push(['vdso', vdso.start * PAGE_SIZE, (vdso.end - vdso.start) * PAGE_SIZE]);
    if (vvar) out.push(['vvar', vvar.start * PAGE_SIZE, (vvar.end - vvar.start) * PAGE_SIZE]);
    return out;
  }

  /** Built-in regions, resolved now: heap, stack, vdso, vvar (absent ones left out). */
  builtins(): Map<string, Region> {
    return new Map(this.builtinSpans().map(([name, base, len]) => [name, { base: BigInt(base), len: BigInt(len) }]));
  }

  region(name: string): Region {
    const r = this.regions.get(name) ?? (BUILTIN_NAMES.includes(name) ? this.builtins().get(name) : undefined);
    if (!r) throw new ScenarioError(`region ${name} is not bound in process ${this.task.name}`);
    return r;
  }

  addr(a: Addr): bigint {
    const off = parsed(a, a.offset);
    if (a.region === undefined) return mod64(off);
    const r = this.region(a.region);
    return mod64(r.base + (a.end ? r.len : 0n) + off);
  }

  len(l: Len): bigint {
    if (l.regionLen !== undefined) return this.region(l.regionLen).len;
    if (l.bytes !== undefined) return parsed(l, l.bytes);
    throw new ScenarioError('length without bytes or region');
  }
}
