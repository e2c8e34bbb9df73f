#!/usr/bin/env node
// `mls fuzz` throughput on this machine: generated scenarios per second for the
// model alone, the host alone (trace mode: a snapshot after every step), and
// model vs host as the fuzzer runs them (host first, then the model from the
// host's image, then the comparison). Host runs are processes of their own, so
// they run concurrently (MLS_BENCH_FUZZ_JOBS, default 4 on 2 cores).
// Goal (2 cores): model vs host ≥ 500 scenarios/s.
import { availableParallelism } from 'node:os';
import { report } from './lib.mjs';

const dist = new URL('../dist/', import.meta.url);
const { ChoiceStream } = await import(new URL('runner/fuzz/choices.js', dist).href);
const { materialize } = await import(new URL('runner/fuzz/materialize.js', dist).href);
const { runPair } = await import(new URL('runner/fuzz/pair.js', dist).href);
const { hostEnv } = await import(new URL('runner/fuzz/session.js', dist).href);
const { modelTarget } = await import(new URL('runner/targets/model.js', dist).href);
const { hostTarget } = await import(new URL('runner/targets/host.js', dist).href);

const N = Number(process.env.MLS_BENCH_FUZZ_COUNT ?? 300);
const JOBS = Number(process.env.MLS_BENCH_FUZZ_JOBS ?? 4);
const env = hostEnv();
const stream = new ChoiceStream(11);
const scenarios = Array.from({ length: N }, (_, i) => materialize(stream.at(i), `bench ${i}`, 'bench.mls', env).scenario);
const steps = scenarios.reduce((s, x) => s + x.steps.length, 0);
const opts = { kernel: 'linux-6.18', trace: true, timeoutMs: 30_000 };

async function pool(jobs, fn) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: jobs }, async () => { while (next < N) await fn(scenarios[next++]); }));
  return N / ((performance.now() - t0) / 1000);
}

process.stderr.write(`fuzz-throughput: ${N} scenarios (${(steps / N).toFixed(1)} steps each), ${availableParallelism()} CPUs, ${JOBS} in flight\n`);
let t0 = performance.now();
for (const s of scenarios) await modelTarget.run(s, opts);
report('fuzz model only (trace), 1 thread', N / ((performance.now() - t0) / 1000), 'scenarios/s', '—', true);
const host = await hostTarget.available();
if (!host.ok) {
  process.stderr.write(`fuzz-throughput: host target unavailable (${host.reason}); host numbers skipped\n`);
} else {
  const h = await pool(JOBS, (s) => hostTarget.run(s, opts));
  report(`fuzz host only (trace), ${JOBS} in flight`, h, 'scenarios/s', '—', true);
  const p = await pool(JOBS, (s) => runPair(s, modelTarget, hostTarget, { kernel: 'linux-6.18', timeoutMs: 30_000 }));
  report(`fuzz model vs host, ${JOBS} in flight`, p, 'scenarios/s', '≥ 500', p >= 500);
}
