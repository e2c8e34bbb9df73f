// One program on one profile, straight through the model's entry point (no
// CLI, no worker, no compile): its IR steps, then an `expect` without checks in
// every live process so the log carries each one's final snapshot. A difference
// that shows only between two statements shows at the end of a shorter program,
// which the enumeration tried first, so results plus final snapshots suffice.
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import type { Step } from '../ir.js';
import { compareLogs, type Divergence } from '../comparison/compare-logs.js';
import { runOnModel } from '../targets/model.js';
import type { Program } from './enumerate.js';
import { EXPLORE_FILE, FIRST_LINE } from './statements.js';

export function programScenario(p: Pick<Program, 'statements' | 'procs'>, name = 'explore'): Scenario {
  const steps: Step[] = p.statements.map((c, i) => ({ ...c.step, loc: { file: EXPLORE_FILE, line: FIRST_LINE + i, column: 1 } }));
  const line = FIRST_LINE + steps.length;
  for (const proc of p.procs) steps.push({ op: 'expect', proc, checks: [], loc: { file: EXPLORE_FILE, line, column: 1 } } as Step);
  return {
    schemaVersion: 1, file: EXPLORE_FILE, name, description: '', tags: ['explore'], kernels: { profiles: [], constraints: [] },
    requires: [], env: { image: 'default' }, processes: ['main', ...p.procs.filter((x) => x !== 'main')], steps, hash: '',
  };
}

export const TIMEOUT_MS = 10_000;

export function runOn(s: Scenario, kernel: string): ObservationLog {
  return runOnModel(s, { kernel, trace: false, timeoutMs: TIMEOUT_MS });
}

export interface Compared {
  scenario: Scenario;
  a: ObservationLog;
  b: ObservationLog;
  divergences: Divergence[];
}

/** Run on both profiles and list every observation that differs (a: profile A, b: profile B). */
export function compareProgram(p: Pick<Program, 'statements' | 'procs'>, a: string, b: string): Compared {
  const scenario = programScenario(p);
  const la = runOn(scenario, a);
  const lb = runOn(scenario, b);
  return { scenario, a: la, b: lb, divergences: compareLogs(la, lb) };
}
