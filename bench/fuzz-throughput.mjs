#!/usr/bin/env node
// `mls fuzz` throughput on this machine, before → after batching, from one run:
// generated scenarios per second for the model alone, the host alone (trace
// mode: a snapshot after every step) one supervisor per scenario (before) and
// batched on long-lived sessions (after), and model vs host as the fuzzer runs
// them (fuzzRun: host, then the model from the host's image, then the compare).
// Besides wall-clock rates, each line's CPU bound is N / (CPU seconds / cores):
// what the run would reach with both cores to itself (other processes share
// them on a busy machine). Goal (2 cores): model vs host ≥ 500 scenarios/s.
// MLS_BENCH_FUZZ_COUNT (default 1000: long enough that JIT warm-up is not what is measured), MLS_BENCH_FUZZ_JOBS (default 4).
import { availableParallelism } from 'node:os';
import { report } from './lib.mjs';
import { fuzzScenarios, load, measure } from './tools/host-measure.mjs';

const { runPair } = await load('runner/fuzz/pair.js');
const { fuzzRun } = await load('runner/fuzz/session.js');
const { modelTarget } = await load('runner/targets/model.js');
const { hostTarget } = await load('runner/targets/host.js');

const N = Number(process.env.MLS_BENCH_FUZZ_COUNT ?? 1000);
const JOBS = Number(process.env.MLS_BENCH_FUZZ_JOBS ?? 4);
const CORES = availableParallelism();
const SEED = 11;
const scenarios = await fuzzScenarios(SEED, N);
const steps = scenarios.reduce((s, x) => s + x.steps.length, 0);
const opts = { kernel: 'linux-6.18', trace: true, timeoutMs: 30_000 };
const pairOpts = { kernel: 'linux-6.18', timeoutMs: 30_000 };

const line = (what, m, goal = '', goalValue) => {
  const rate = m.n / m.wall;
  const cpuMs = m.driverMs + m.execMs;
  const bound = cpuMs > 0 ? m.n / (cpuMs / 1000 / CORES) : Infinity;
  report(`${what}: wall`, rate, 'scenarios/s', goal, goalValue === undefined ? undefined : rate >= goalValue);
  report(`${what}: CPU per scenario (driver + executor)`, cpuMs / m.n, `ms (${(m.driverMs / m.n).toFixed(2)} + ${(m.execMs / m.n).toFixed(2)})`, '', undefined);
  report(`${what}: CPU bound on ${CORES} cores`, bound, 'scenarios/s', goal, goalValue === undefined ? undefined : bound >= goalValue);
  return { rate, bound };
};

process.stderr.write(`fuzz-throughput: ${N} scenarios (${(steps / N).toFixed(1)} steps each), ${CORES} CPUs, ${JOBS} in flight\n`);
line('model only (trace), 1 thread', await measure(scenarios, 1, (s) => modelTarget.run(s, opts)));
const host = await hostTarget.available();
if (!host.ok) {
  process.stderr.write(`fuzz-throughput: host target unavailable (${host.reason}); host numbers skipped\n`);
} else {
  // Before: one supervisor (a spawned process tree) per scenario.
  line(`host only, one supervisor per scenario (before), ${JOBS} in flight`, await measure(scenarios, JOBS, (s) => hostTarget.run(s, opts)));
  // After: one supervisor per core, scenarios pipelined into it.
  const sessions = Array.from({ length: Math.min(JOBS, CORES) }, () => hostTarget.openSession());
  let k = 0;
  const hostOnly = line(`host only, batched on ${sessions.length} sessions (after), ${JOBS} in flight`,
    await measure(scenarios, JOBS, (s) => sessions[k++ % sessions.length].run(s, opts), () => Promise.all(sessions.map((x) => x.close()))));
  // The host side alone (executors, kernel, reply parsing; no model, no compare) bounds what model vs host can
  // reach here: with an infinitely fast model the fuzzer would still spend this CPU on every scenario.
  report('ceiling of model vs host on this machine: the host side alone, CPU bound', hostOnly.bound, 'scenarios/s', '', undefined);
  line(`model vs host, one supervisor per scenario (before), ${JOBS} in flight`,
    await measure(scenarios, JOBS, (s) => runPair(s, modelTarget, hostTarget, pairOpts)));
  // After: exactly what `mls fuzz --seed 11 --count N --no-shrink` runs.
  let divergent = 0;
  const m = await measure([0], 1, async () => {
    const r = await fuzzRun({ seed: SEED, count: N, jobs: JOBS, kernel: 'linux-6.18', timeoutMs: 30_000, shrink: false, shrinkEvaluations: 0, model: modelTarget, host: hostTarget });
    divergent = r.divergent;
  });
  const after = line(`model vs host, mls fuzz batched (after), ${JOBS} in flight`, { ...m, n: N }, '≥ 500', 500);
  process.stderr.write(`fuzz-throughput: ${divergent} of ${N} scenarios diverged; goal ≥ 500 scenarios/s on 2 cores ${after.rate >= 500 ? 'met' : after.bound >= 500 ? 'met by the CPU bound only (wall clock shared with other load)' : 'NOT met'}; the host side alone allows ${hostOnly.bound.toFixed(0)}/s\n`);
}
