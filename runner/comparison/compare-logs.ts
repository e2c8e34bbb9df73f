// Field-by-field comparison of two observation logs of the same scenario (model
// against host, or any two targets): call results, then every snapshot field.
// Reusable by anything that compares targets; the fuzzer also uses `signature`
// to group divergences that are the same bug seen in different scenarios.
import type { CallResult, ObservationLog, RegionObservation, Scenario, Snapshot, VmaObservation } from '../../schema/generated/types.js';
import { BUILTIN_REGIONS } from '../../grammar/names.js';

export interface Divergence {
  /** Step index in the scenario (-1: the run as a whole, e.g. its outcome). */
  step: number;
  proc: string;
  /** Where the values differ: `result`, `status.VmLck`, `mapCount`, `regions.buf.vmas[1].rss`, … */
  path: string;
  /** Same as path with region names and VMA indexes generalised (`regions.*.vmas[].rss`). */
  field: string;
  a: unknown;
  b: unknown;
}

export interface CompareOptions {
  /** Paths not to compare at a step (default: compare everything); see runner/fuzz/noise.ts. */
  ignore?: (path: string, step: number, a: unknown, b: unknown) => boolean;
}

const generalise = (path: string): string =>
  path.replace(/^regions\.([A-Za-z_][A-Za-z0-9_]*)/, (_m, r: string) => `regions.${BUILTIN_REGIONS.includes(r) ? r : '*'}`).replace(/\[\d+\]/g, '[]');

class Collector {
  out: Divergence[] = [];
  constructor(private step: number, private proc: string, private ignore: (p: string, step: number, a: unknown, b: unknown) => boolean) {}
  eq(path: string, a: unknown, b: unknown): void {
    if (a === b || JSON.stringify(a) === JSON.stringify(b)) return;
    this.diff(path, a, b);
  }
  /** Record a difference already established (callers test cheaply first; paths are built only for differences). */
  diff(path: string, a: unknown, b: unknown): void {
    if (this.ignore(path, this.step, a, b)) return;
    this.out.push({ step: this.step, proc: this.proc, path, field: generalise(path), a, b });
  }
}

const sameFlags = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && (a.every((f, i) => f === b[i]) || [...a].sort().join(' ') === [...b].sort().join(' '));
const sameIntervals = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean =>
  a.length === b.length && a.every((x, i) => x[0] === b[i]![0] && x[1] === b[i]![1] && x.length === b[i]!.length);

const resultText = (r: CallResult | undefined): string =>
  !r ? 'none' : r.outcome === 'ok' ? (r.value !== undefined ? `ok ${r.value}` : 'ok') : r.outcome === 'errno' ? r.errno ?? 'E?' : r.signal ?? 'SIG?';

const VMA_SIZES = ['rss', 'pss', 'locked', 'anonymous', 'anonHuge'] as const;
const STATUS_KEYS = ['VmLck', 'VmPin', 'VmSize', 'VmRSS'] as const;

/** Both records' keys, sorted, each once (the common case: the same keys in the same order, no Set). */
function unionSorted(a: object, b: object): string[] {
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length === kb.length && ka.every((k, i) => k === kb[i])) return ka.sort();
  return [...new Set([...ka, ...kb])].sort();
}

function compareVma(c: Collector, at: string, a: VmaObservation, b: VmaObservation): void {
  if (a.start !== b.start || a.end !== b.end) c.diff(`${at}.range`, [a.start, a.end], [b.start, b.end]);
  if (a.prot !== b.prot || a.shared !== b.shared) c.diff(`${at}.prot`, a.prot + (a.shared ? 's' : 'p'), b.prot + (b.shared ? 's' : 'p'));
  if (!sameFlags(a.flags, b.flags)) c.eq(`${at}.flags`, [...a.flags].sort().join(' '), [...b.flags].sort().join(' '));
  for (const k of VMA_SIZES) if (a[k] !== b[k]) c.diff(`${at}.${k}`, a[k], b[k]);
}

function compareRegion(c: Collector, at: string, a: RegionObservation, b: RegionObservation): void {
  if (a.len !== b.len) c.diff(`${at}.len`, a.len, b.len);
  if (a.vmas.length !== b.vmas.length) {
    // Different VMA structure: one divergence with both layouts, not one per VMA.
    const shape = (r: RegionObservation) => r.vmas.map((v) => `[${v.start},${v.end}) ${v.prot}`).join(' | ');
    c.eq(`${at}.vmas`, shape(a), shape(b));
  } else a.vmas.forEach((v, i) => compareVma(c, `${at}.vmas[${i}]`, v, b.vmas[i]!));
  if (!sameIntervals(a.resident, b.resident)) c.eq(`${at}.resident`, a.resident, b.resident);
  // Page flags, where both targets read them (SPEC.md §3.6); unevictable not where one cannot know it.
  if (a.mlocked && b.mlocked && !a.mlockedUnknown && !b.mlockedUnknown && !sameIntervals(a.mlocked, b.mlocked)) c.eq(`${at}.mlocked`, a.mlocked, b.mlocked);
  if (a.unevictable && b.unevictable && !a.unevictableUnknown && !b.unevictableUnknown && !sameIntervals(a.unevictable, b.unevictable)) {
    c.eq(`${at}.unevictable`, a.unevictable, b.unevictable);
  }
}

/** System counters (`meminfo`) are not compared: the host's are machine-wide, the model's the scenario's own share; their clauses are. */
function compareSnapshots(c: Collector, a: Snapshot, b: Snapshot): void {
  for (const k of STATUS_KEYS) if (a.status[k] !== b.status[k]) c.diff(`status.${k}`, a.status[k], b.status[k]);
  c.eq('mapCount', a.mapCount, b.mapCount);
  c.eq('lockedTotal', a.lockedTotal, b.lockedTotal);
  c.eq('mclFuture', a.mclFuture, b.mclFuture);
  for (const n of unionSorted(a.regions, b.regions)) {
    const ra = a.regions[n], rb = b.regions[n];
    if (!ra || !rb) c.eq(`regions.${n}`, ra ? 'bound' : 'unbound', rb ? 'bound' : 'unbound');
    else compareRegion(c, `regions.${n}`, ra, rb);
  }
}

/** Every difference between log `a` and log `b`, in step order (a: model, b: host by convention). */
export function compareLogs(a: ObservationLog, b: ObservationLog, opts: CompareOptions = {}): Divergence[] {
  const ignore = opts.ignore ?? (() => false);
  const out: Divergence[] = [];
  const n = Math.min(a.steps.length, b.steps.length);
  for (let i = 0; i < n; i++) {
    const sa = a.steps[i]!, sb = b.steps[i]!;
    const c = new Collector(sa.step, sa.proc, ignore);
    c.eq('result', resultText(sa.result), resultText(sb.result));
    if (sa.snapshot && sb.snapshot) compareSnapshots(c, sa.snapshot, sb.snapshot);
    else c.eq('snapshot', sa.snapshot ? 'taken' : 'none', sb.snapshot ? 'taken' : 'none');
    out.push(...c.out);
  }
  if (a.outcome !== b.outcome || a.steps.length !== b.steps.length) {
    const step = n < a.steps.length ? a.steps[n]!.step : n < b.steps.length ? b.steps[n]!.step : -1;
    out.push({
      step, proc: '', path: 'outcome', field: 'outcome',
      a: `${a.outcome} after ${a.steps.length} steps${a.message ? `: ${a.message}` : ''}`,
      b: `${b.outcome} after ${b.steps.length} steps${b.message ? `: ${b.message}` : ''}`,
    });
  }
  return out;
}

/** A bug's identity across scenarios: the first divergence's operation and generalised field (and result kinds). */
export function signature(d: Divergence, s: Scenario): string {
  const st = d.step >= 0 ? s.steps[d.step] : undefined;
  const op = st ? (st.op === 'madvise' ? `madvise(${st.adviceName ?? st.advice})` : st.op) : 'run';
  if (d.field === 'result') return `${op}: result ${String(d.a)} vs ${String(d.b)}`.replace(/ok -?\d+/g, 'ok');
  if (d.field === 'outcome') return `${op}: outcome ${String(d.a).split(' ')[0]} vs ${String(d.b).split(' ')[0]}`;
  return `${op}: ${d.field}`;
}
