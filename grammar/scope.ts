// What the compiler knows statically while walking the statements in order:
// which processes exist and are alive, which region names each one has bound,
// their lengths when known, and which regions were certainly unmapped.
import type { Span } from './ast.js';
import { BUILTIN_REGIONS } from './names.js';

export interface RegionInfo {
  /** Length fixed by the binding statement; undefined once it may have changed (mremap). */
  len?: bigint;
  builtin: boolean;
  /** Wholly unmapped by an munmap expected to succeed (use-after-munmap check). */
  unmappedAt?: Span;
}

export interface ProcInfo {
  regions: Map<string, RegionInfo>;
  /** Where the process exited, if it did. */
  exitedAt?: Span;
}

function builtinRegions(): Map<string, RegionInfo> {
  return new Map(BUILTIN_REGIONS.map((r) => [r, { builtin: true }]));
}

/**
 * Processes one scenario may have, main included: the host executor addresses each by an index
 * below this (native/src/supervisor.c MAX_PROCS); a language limit, so the model agrees.
 */
export const MAX_PROCESSES = 256;

export class Scope {
  readonly procs = new Map<string, ProcInfo>([['main', { regions: builtinRegions() }]]);
  /** Process names in order of creation. */
  readonly order: string[] = ['main'];
  /** Files declared by `file` statements (they live in the target's temp dir, shared by all processes). */
  readonly files = new Set<string>();
  /** Files removed by an `unlink` expected to succeed, and where (use-after-unlink check). */
  readonly unlinkedAt = new Map<string, Span>();
  /** Values kept by `let` (names are global: a value, not a binding in a process), with their field kind. */
  readonly captures = new Map<string, 'bytes' | 'count'>();
  /** The names captured from a system counter, with its field: only that field compares against them. */
  readonly systemCaptures = new Map<string, string>();
  /** System V segments declared by `shmget` (size in bytes), shared by all processes like files. */
  readonly segments = new Map<string, bigint>();

  proc(name: string): ProcInfo | undefined {
    return this.procs.get(name);
  }
  /** fork: the child inherits the parent's region names (a copy; later changes are per process). */
  fork(parent: string, child: string): void {
    const p = this.procs.get(parent);
    const regions = new Map<string, RegionInfo>();
    for (const [k, v] of p?.regions ?? []) regions.set(k, { ...v });
    this.procs.set(child, { regions });
    if (!this.order.includes(child)) this.order.push(child);
  }
  /** exec: a fresh mm; only the built-in regions stay bound. */
  exec(proc: string): void {
    const p = this.procs.get(proc);
    if (p) p.regions = builtinRegions();
  }
  exit(proc: string, at: Span): void {
    const p = this.procs.get(proc);
    if (p) p.exitedAt = at;
  }
  bind(proc: string, name: string, len: bigint | undefined): void {
    const info: RegionInfo = { builtin: false };
    if (len !== undefined) info.len = len;
    this.procs.get(proc)?.regions.set(name, info);
  }
  region(proc: string, name: string): RegionInfo | undefined {
    return this.procs.get(proc)?.regions.get(name);
  }
  /** Processes (other than `proc`) that have `name` bound, for a helpful note. */
  boundElsewhere(proc: string, name: string): string[] {
    return [...this.procs].filter(([p, info]) => p !== proc && info.regions.has(name)).map(([p]) => p);
  }
}
