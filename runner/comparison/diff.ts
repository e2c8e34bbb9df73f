// `mls diff`: the first place where the model and the kernel (host target) part
// for one scenario — the statement, its line, the field path, the model's value
// and the kernel's. The comparison itself is runner/comparison/compare-logs.ts and the
// executor's own noise runner/comparison/executor-noise.ts, shared with fuzz and compare.
// Pure: no I/O.
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import { compareLogs as allDifferences } from './compare-logs.js';
import { noiseFilter } from './executor-noise.js';
import { fieldWords, valueWords } from './words.js';

export interface Divergence {
  step: number;
  line: number;
  column: number;
  proc: string;
  /** In the language's words: `result`, `locked_vm`, `buf flags (VMA 2)`, `reached` (one target stopped early) … */
  field: string;
  /** The observation path: `status.VmLck`, `regions.buf.vmas[1].flags`, `outcome`. */
  path: string;
  /** The values as the language writes them (`8p (32 kB)`). */
  model: string;
  kernel: string;
}

export type DiffOutcome =
  | { kind: 'agree'; steps: number }
  /** divergence: the first field; divergences: every field of that first divergent step. */
  | { kind: 'diverge'; divergence: Divergence; divergences: Divergence[] }
  | { kind: 'skipped'; reason: string }
  | { kind: 'error'; message: string };

const show = (v: unknown): string => (v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v));

export function compareLogs(scenario: Scenario, model: ObservationLog, kernel: ObservationLog): DiffOutcome {
  // Reasons from machine settings already name the host (runner/machine/settings.ts): say it once.
  if (kernel.outcome === 'skipped') {
    const why = kernel.skipReason ?? 'skipped';
    return { kind: 'skipped', reason: why.startsWith('host: ') ? why : `host: ${why}` };
  }
  if (model.outcome === 'skipped') return { kind: 'skipped', reason: `model: ${model.skipReason ?? 'skipped'}` };
  const all = allDifferences(model, kernel, { ignore: noiseFilter(scenario) });
  const first = all[0];
  if (!first) {
    if (model.outcome !== 'completed') return { kind: 'error', message: `both targets stopped early: ${model.message ?? model.outcome}` };
    return { kind: 'agree', steps: scenario.steps.length };
  }
  const st = first.step >= 0 ? scenario.steps[first.step] : undefined;
  if (!st) return { kind: 'error', message: `model ${show(first.a)}, host ${show(first.b)}` };
  const snap = kernel.steps.find((o) => o.step === first.step)?.snapshot;
  const vmas = (r: string) => snap?.regions[r]?.vmas.length;
  const divergences = all.filter((d) => d.step === first.step).map((d): Divergence => {
    // An outcome difference at a step means one target got there and the other did not.
    const path = d.path === 'outcome' ? 'reached' : d.path;
    const { field, bytes } = fieldWords(path, vmas);
    return { step: d.step, line: st.loc.line, column: st.loc.column, proc: st.proc, field, path, model: valueWords(d.a, bytes), kernel: valueWords(d.b, bytes) };
  });
  return { kind: 'diverge', divergence: divergences[0]!, divergences };
}
