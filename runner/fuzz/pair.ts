// Run one scenario on the host and on the model (started from the host's own
// image, so both begin from the same layout), in trace mode, and compare.
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import type { Target } from '../targets/target.js';
import { compareLogs, type CompareOptions, type Divergence } from '../comparison/compare-logs.js';
import { noiseFilter } from '../comparison/executor-noise.js';

export interface PairOptions extends CompareOptions {
  kernel: string;
  timeoutMs: number;
  /** Forced model settings (`mls fuzz --setting`); the host's facts otherwise (from its image). */
  settings?: Partial<Record<string, string>>;
}

export interface PairResult {
  model: ObservationLog;
  host: ObservationLog;
  divergences: Divergence[];
}

/** `host` may be a Target or a session of one (batched host runs, TargetSession). */
/** The executor itself failed (not the scenario): says nothing about the model. */
export function hostTrouble(h: ObservationLog): boolean {
  return h.outcome === 'error' && /^host executor/.test(h.message ?? '');
}

export async function runPair(s: Scenario, model: Target, host: Pick<Target, 'run'>, o: PairOptions): Promise<PairResult> {
  const base = { kernel: o.kernel, trace: true, timeoutMs: o.timeoutMs };
  let h = await host.run(s, base);
  if (hostTrouble(h)) h = await host.run(s, base); // once more: a transient failure (seen under heavy machine load)
  const mBase = o.settings ? { ...base, settings: o.settings } : base;
  const m = await model.run(s, h.image ? { ...mBase, image: h.image } : mBase);
  // A host run that could not happen (skipped, refused by the safety cap) says nothing about the model.
  if (h.outcome === 'skipped' || hostTrouble(h)) return { model: m, host: h, divergences: [] };
  return { model: m, host: h, divergences: compareLogs(m, h, { ignore: o.ignore ?? noiseFilter(s) }) };
}
