#!/usr/bin/env node
// End-to-end `mls run` on 2,000 generated scenario files: cold compile cache,
// warm cache, and -j2 against -j1. Goals (2 cores): ≥ 1,000/s cold,
// ≥ 20,000/s warm, -j2 ≥ 1.8× -j1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSuite, report } from './lib.mjs';

const BIN = new URL('../bin/mls.js', import.meta.url).pathname;
const COUNT = Number(process.env.MLS_BENCH_FILES ?? 2000);

function target() {
  const r = spawnSync(process.execPath, [BIN, 'run', '--target', 'model', '--pass-with-no-tests', '-r', 'json', '-t', '^$'], { cwd: tmpdir(), encoding: 'utf8' });
  return r.status === 2 && /not available/.test(r.stderr) ? 'host' : 'model';
}

function run(dir, cache, jobs, tgt) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, 'run', dir, '--target', tgt, '-j', String(jobs), '--cache-dir', cache, '-r', 'json=' + join(cache, 'out.json')], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`mls run exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  if (r.status === 1) {
    const doc = JSON.parse(readFileSync(join(cache, 'out.json'), 'utf8'));
    process.stderr.write(`runner-throughput: warning: not every scenario passed: ${JSON.stringify(doc.summary)}\n`);
  }
  return ms;
}

const tgt = target();
const dir = generateSuite(COUNT);
const cache = mkdtempSync(join(tmpdir(), 'mls-bench-cache-'));
try {
  process.stderr.write(`runner-throughput: ${COUNT} files, target ${tgt}\n`);
  const cold = run(dir, cache, 2, tgt);
  report(`run ${COUNT} files, cold cache, -j2 (${tgt})`, COUNT / (cold / 1000), 'scenarios/s', '≥ 1000', COUNT / (cold / 1000) >= 1000);
  const warm = Math.min(run(dir, cache, 2, tgt), run(dir, cache, 2, tgt));
  report(`run ${COUNT} files, warm cache, -j2 (${tgt})`, COUNT / (warm / 1000), 'scenarios/s', '≥ 20000', COUNT / (warm / 1000) >= 20000);
  const j1 = Math.min(run(dir, cache, 1, tgt), run(dir, cache, 1, tgt));
  report(`-j2 speed-up over -j1, warm (${tgt})`, j1 / warm, 'x', '≥ 1.8', j1 / warm >= 1.8);
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
}
