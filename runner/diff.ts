// `mls diff`: the first place where the model and the kernel (host target) part
// for one scenario — the statement, its line, the field path, the model's value
// and the kernel's. The comparison itself is runner/compare-logs.ts and the
// executor's own noise runner/executor-noise.ts, shared with fuzz and compare.
// Pure: no I/O.
import type { ObservationLog, Scenario } from '../schema/generated/types.js';
import { compareLogs as allDifferences } from './compare-logs.js';
import { noiseFilter } from './executor-noise.js';

export interface Divergence {
  step: number;
  line: number;
  column: number;
  proc: string;
  /** `result`, `status.VmLck`, `regions.buf.vmas[1].flags`, `reached` (one target stopped early) … */
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

export function compareLogs(scenario: Scenario, model: ObservationLog, kernel: ObservationLog): DiffOutcome {
  if (kernel.outcome === 'skipped') return { kind: 'skipped', reason: `host: ${kernel.skipReason ?? 'skipped'}` };
  if (model.outcome === 'skipped') return { kind: 'skipped', reason: `model: ${model.skipReason ?? 'skipped'}` };
  const first = allDifferences(model, kernel, { ignore: noiseFilter(scenario) })[0];
  if (!first) {
    if (model.outcome !== 'completed') return { kind: 'error', message: `both targets stopped early: ${model.message ?? model.outcome}` };
    return { kind: 'agree', steps: scenario.steps.length };
  }
  const st = first.step >= 0 ? scenario.steps[first.step] : undefined;
  if (!st) return { kind: 'error', message: `model ${show(first.a)}, host ${show(first.b)}` };
  // An outcome difference at a step means one target got there and the other did not.
  const field = first.path === 'outcome' ? 'reached' : first.path;
  return { kind: 'diverge', divergence: { step: first.step, line: st.loc.line, column: st.loc.column, proc: st.proc, field, model: show(first.a), kernel: show(first.b) } };
}
