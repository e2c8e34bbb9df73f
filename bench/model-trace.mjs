#!/usr/bin/env node
// The model's cost per traced scenario (a snapshot after every step), on the
// generated scenarios bench/host-exec.mjs compares against the host (seed 11),
// default image: CPU per scenario once V8 runs optimised code (best of passes).
// bench/host-exec.mjs holds the goal (the model ≥ 10x faster than the host's
// execution); this line tracks the model alone, without the host.
// MLS_BENCH_MODEL_COUNT (default 300), MLS_BENCH_MODEL_PASSES (default 5).
import { report } from './lib.mjs';
import { fuzzScenarios, load } from './tools/host-measure.mjs';

const { modelTarget } = await load('runner/targets/model.js');
const N = Number(process.env.MLS_BENCH_MODEL_COUNT ?? 300);
const passes = Number(process.env.MLS_BENCH_MODEL_PASSES ?? 5);
const scenarios = await fuzzScenarios(11, N);
const opts = { kernel: 'linux-6.18', trace: true, timeoutMs: 30_000 };

async function pass() {
  const c0 = process.cpuUsage();
  for (const s of scenarios) await modelTarget.run(s, opts);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / N;
}
const first = await pass();
let best = Infinity;
for (let i = 0; i < passes; i++) best = Math.min(best, await pass());
report('model per scenario (trace), first pass: CPU', first, 'ms', '', undefined);
report('model per scenario (trace), warm: CPU', best, 'ms', '', undefined);
