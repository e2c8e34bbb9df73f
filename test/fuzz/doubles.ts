// Test doubles for the fuzzer. PerturbedModelTarget is the real model with one
// field deliberately wrong, so the fuzzer has a divergence whose minimal form
// is known in advance: once a successful mlock2 with MLOCK_ONFAULT has run, every
// later VmLck reads one page more than the model computed. It is NOT a real model bug.
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import { modelTarget } from '../../runner/targets/model.js';
import type { Target, TargetRunOptions } from '../../runner/targets/target.js';

export const PERTURBATION = 4096;

export const perturbedModelTarget: Target = {
  name: 'model',
  available: () => modelTarget.available(),
  async run(s: Scenario, o: TargetRunOptions): Promise<ObservationLog> {
    const log = await modelTarget.run(s, o);
    let hit = false;
    for (const obs of log.steps) {
      const st = s.steps[obs.step]!;
      if (st.op === 'mlock2' && st.flags === '1' && obs.result?.outcome === 'ok') hit = true;
      if (hit && obs.snapshot) obs.snapshot.status.VmLck += PERTURBATION;
    }
    return log;
  },
};

/** The model playing the host: no kernel needed, so the shrinker test is fast and deterministic. */
export const modelAsHost: Target = { ...modelTarget, name: 'host' };
