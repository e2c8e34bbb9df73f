// Compare what the model and the kernel (host target) observed for one scenario,
// step by step, and name the first field where they part: the statement, its
// line, the field path, the model's value and the kernel's. Pure: no I/O.
import type { CallResult, ObservationLog, Scenario, Snapshot, StepObservation } from '../schema/generated/types.js';

export interface Divergence {
  step: number;
  line: number;
  column: number;
  proc: string;
  /** `result`, `status.VmLck`, `regions.buf.vmas[1].flags`, … */
  field: string;
  model: string;
  kernel: string;
}

export type DiffOutcome =
  | { kind: 'agree'; steps: number }
  | { kind: 'diverge'; divergence: Divergence }
  | { kind: 'skipped'; reason: string }
  | { kind: 'error'; message: string };

const show = (v: unknown): string => (v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v));

function resultText(r: CallResult | undefined): string {
  if (!r) return '(not run)';
  if (r.outcome === 'errno') return r.errno ?? 'errno';
  if (r.outcome === 'signal') return r.signal ?? 'signal';
  return r.value !== undefined ? `ok ${r.value}` : 'ok';
}

/** Leaves of two JSON values, compared in a stable order; the first difference. */
function firstDifference(path: string, a: unknown, b: unknown): [string, unknown, unknown] | null {
  if (a === b) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    // Arrays of scalars (flags, resident intervals) compare whole; arrays of objects item by item.
    const scalar = a.concat(b).every((x) => typeof x !== 'object' || (Array.isArray(x) && x.every((y) => typeof y !== 'object')));
    if (scalar) return JSON.stringify(a) === JSON.stringify(b) ? null : [path, a, b];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return [`${path}.length`, a.length, b.length];
      const d = firstDifference(`${path}[${i}]`, a[i], b[i]);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference(path ? `${path}.${k}` : k, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
      if (d) return d;
    }
    return null;
  }
  return [path, a, b];
}

const BUILTINS = new Set(['heap', 'stack', 'vdso', 'vvar']);

/**
 * Fields the host executor's own activity changes, not the scenario: it faults in
 * its own code, data and stack while it works, so VmRSS and the residency of the
 * built-in regions drift by a few pages; after mlockall(MCL_CURRENT) smaps_rollup
 * Locked covers the executor's pages too, whose sharing with its supervisor the
 * model only approximates. These are left out of the comparison.
 */
export function noiseFields(scenario: Scenario): string[] {
  const noise = ['status.VmRSS', 'built-in regions: rss, pss, locked, anonymous, resident'];
  const mlockallCurrent = scenario.steps.some((s) => s.op === 'mlockall' && (BigInt(s.flags) & 1n) === 1n);
  if (mlockallCurrent) noise.push('lockedTotal (the scenario locks the executor with mlockall current)');
  return noise;
}

function shapeOnly(r: Snapshot['regions'][string] | undefined): unknown {
  if (!r) return r;
  return { len: r.len, vmas: r.vmas.map((v) => ({ start: v.start, end: v.end, prot: v.prot, shared: v.shared, flags: v.flags })) };
}

/** Snapshot fields in the order a kernel developer reads them. */
function snapshotDifference(scenario: Scenario, m: Snapshot, k: Snapshot): [string, unknown, unknown] | null {
  const withRollup = noiseFields(scenario).length === 2;
  const status = (s: Snapshot) => ({ VmLck: s.status.VmLck, VmPin: s.status.VmPin, VmSize: s.status.VmSize });
  const order: Array<[string, unknown, unknown]> = [
    ['status', status(m), status(k)],
    ['lockedTotal', withRollup ? m.lockedTotal : 0, withRollup ? k.lockedTotal : 0],
    ['mclFuture', m.mclFuture, k.mclFuture],
    ['mapCount', m.mapCount, k.mapCount],
  ];
  for (const [p, a, b] of order) { const d = firstDifference(p, a, b); if (d) return d; }
  const names = [...new Set([...Object.keys(m.regions), ...Object.keys(k.regions)])].sort();
  for (const n of names) {
    const a = m.regions[n], b = k.regions[n];
    const d = BUILTINS.has(n) ? firstDifference(`regions.${n}`, shapeOnly(a), shapeOnly(b)) : firstDifference(`regions.${n}`, a, b);
    if (d) return d;
  }
  return null;
}

export function compareLogs(scenario: Scenario, model: ObservationLog, kernel: ObservationLog): DiffOutcome {
  if (kernel.outcome === 'skipped') return { kind: 'skipped', reason: `host: ${kernel.skipReason ?? 'skipped'}` };
  if (model.outcome === 'skipped') return { kind: 'skipped', reason: `model: ${model.skipReason ?? 'skipped'}` };
  const byStep = (log: ObservationLog): Map<number, StepObservation> => new Map(log.steps.map((s) => [s.step, s]));
  const ms = byStep(model), ks = byStep(kernel);
  const at = (i: number, field: string, a: unknown, b: unknown): DiffOutcome => {
    const st = scenario.steps[i]!;
    return { kind: 'diverge', divergence: { step: i, line: st.loc.line, column: st.loc.column, proc: st.proc, field, model: show(a), kernel: show(b) } };
  };
  for (let i = 0; i < scenario.steps.length; i++) {
    const a = ms.get(i), b = ks.get(i);
    if (!a && !b) break;
    if (!a || !b) {
      return at(i, 'reached', a ? 'yes' : `no (${model.outcome}${model.message ? ': ' + model.message : ''})`,
        b ? 'yes' : `no (${kernel.outcome}${kernel.message ? ': ' + kernel.message : ''})`);
    }
    if (scenario.steps[i]!.op !== 'expect' && resultText(a.result) !== resultText(b.result)) {
      return at(i, 'result', resultText(a.result), resultText(b.result));
    }
    if (a.snapshot && b.snapshot) {
      const d = snapshotDifference(scenario, a.snapshot, b.snapshot);
      if (d) return at(i, d[0], d[1], d[2]);
    }
  }
  if (model.outcome !== kernel.outcome) {
    return { kind: 'error', message: `model ${model.outcome}${model.message ? ` (${model.message})` : ''}, host ${kernel.outcome}${kernel.message ? ` (${kernel.message})` : ''}` };
  }
  if (model.outcome !== 'completed') return { kind: 'error', message: `both targets stopped early: ${model.message ?? model.outcome}` };
  return { kind: 'agree', steps: scenario.steps.length };
}
