// The pruning rules are sound on every registered profile: swapping two neighbours the commuting rule
// calls independent changes no observation, and a statement the no-op rule says cannot change state
// leaves the final snapshots as they were without it. (If a rule were wrong for some profile, explore
// could miss that profile's smallest witness.) Checked on every program of the tiny alphabet up to 3
// statements, and on a sample of its 4-statement programs (two regions: same-process swaps).
import t from 'tap';
import type { ObservationLog } from '../../schema/generated/types.js';
import { REGISTERED } from '../../runtime/index.js';
import { compareLogs } from '../../runner/comparison/compare-logs.js';
import { PRESETS } from '../../runner/explore/alphabet.js';
import { programScenario, runOn } from '../../runner/explore/run.js';
import { Space } from '../../runner/explore/space.js';
import { independent, type Candidate, type ProgramState } from '../../runner/explore/statements.js';
import { allPrograms, programText } from './helpers.js';

const finals = (log: ObservationLog): string => JSON.stringify(log.steps.filter((s) => s.snapshot && s.result === undefined).map((s) => [s.proc, s.snapshot]));

for (const [preset, depth, stride] of [['tiny', 3, 1], ['tiny', 4, 97]] as const) {
  t.test(`${preset}, up to ${depth} statements${stride > 1 ? `, one program in ${stride}` : ''}`, async (t) => {
    const space = new Space(PRESETS[preset]!);
    const { programs: every } = allPrograms(preset, depth);
    // Sampled: programs with two regions and a swap in one process (the cases the 3-statement set cannot have).
    const programs = stride === 1 ? every : every.filter((p) => p.level.statements === depth && p.level.regions === 2).filter((_, i) => i % stride === 0);
    let swaps = 0, noops = 0, wrong = 0;
    for (const p of programs) {
      let s: ProgramState = space.initial;
      const states: ProgramState[] = [];
      for (const c of p.statements) { states.push(s); s = space.next(s, c); }
      for (let i = 1; i < p.statements.length; i++) {
        const [x, y] = [p.statements[i - 1]!, p.statements[i]!];
        if (!independent(x, y, states[i - 1]!)) continue;
        swaps++;
        const other: Candidate[] = [...p.statements];
        [other[i - 1], other[i]] = [y, x];
        for (const k of REGISTERED) {
          const d = compareLogs(runOn(programScenario(p), k), runOn(programScenario({ ...p, statements: other }), k)).filter((v) => v.path !== 'result' || (v.step !== i - 1 && v.step !== i));
          if (d.length && wrong++ < 3) t.fail(`${k}: swapping lines ${i} and ${i + 1} changes ${d[0]!.path}:\n${programText(p)}`);
        }
      }
      const last = p.statements[p.statements.length - 1]!;
      if (last.noop) {
        noops++;
        const shorter = { statements: p.statements.slice(0, -1), procs: p.procs };
        for (const k of REGISTERED) {
          if (finals(runOn(programScenario(p), k)) !== finals(runOn(programScenario(shorter), k)) && wrong++ < 3) {
            t.fail(`${k}: the last statement changed state:\n${programText(p)}`);
          }
        }
      }
    }
    t.equal(wrong, 0, `${swaps} swaps and ${noops} no-ops checked on ${REGISTERED.length} profiles`);
    t.ok(swaps > 0 && noops > 0);
  });
}
