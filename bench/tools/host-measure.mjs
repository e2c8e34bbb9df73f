// Shared by bench/fuzz-throughput.mjs and bench/host-exec.mjs: generated fuzz
// scenarios, and CPU time of this process and of its reaped children (the
// supervisors, which reap their scenario processes), from /proc/self/stat.
import { readFileSync } from 'node:fs';

const dist = new URL('../../dist/', import.meta.url);
export const load = (path) => import(new URL(path, dist).href);

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** { self, children } CPU milliseconds so far (children: after they were waited for). */
export function cpu() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields after the comm: state(0) … utime(11) stime(12) cutime(13) cstime(14)
  return { self: (Number(f[11]) + Number(f[12])) * TICK_MS, children: (Number(f[13]) + Number(f[14])) * TICK_MS };
}

export async function fuzzScenarios(seed, n) {
  const { ChoiceStream } = await load('runner/fuzz/choices.js');
  const { materialize } = await load('runner/fuzz/materialize.js');
  const { hostEnv } = await load('runner/fuzz/session.js');
  const env = hostEnv();
  const stream = new ChoiceStream(seed);
  return Array.from({ length: n }, (_, i) => materialize(stream.at(i), `bench ${i}`, 'bench.mls', env).scenario);
}

/** Run `fn` over items with `jobs` in flight; wall seconds and CPU ms (driver, executors) spent. */
export async function measure(items, jobs, fn, after = async () => {}) {
  let next = 0;
  const c0 = cpu();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: jobs }, async () => { while (next < items.length) await fn(items[next++]); }));
  const wall = (performance.now() - t0) / 1000;
  await after(); // e.g. close sessions, so their CPU is counted
  const c1 = cpu();
  return { wall, driverMs: c1.self - c0.self, execMs: c1.children - c0.children, n: items.length };
}
