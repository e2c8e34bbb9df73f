#!/usr/bin/env node
// `mls watch`: time from saving one .mls file to its result on screen, in a
// suite of 240 files. Goal: ≤ 100 ms median.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSuite, median, report } from './lib.mjs';

const BIN = new URL('../bin/mls.js', import.meta.url).pathname;
const SAVES = 20;

const probe = spawnSync(process.execPath, [BIN, 'run', '--target', 'model', '-t', '^$', '--pass-with-no-tests'], { cwd: tmpdir(), encoding: 'utf8' });
const tgt = probe.status === 2 && /not available/.test(probe.stderr) ? 'host' : 'model';
const dir = generateSuite(240, 'mls-bench-watch-');
const file = join(dir, 'g00', 's0000.mls');
const child = spawn(process.execPath, [BIN, 'watch', dir, '--target', tgt, '-j2', '--no-cache'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
let screen = '';
child.stdout.on('data', (d) => (screen += d));

async function waitFor(re, from) {
  for (;;) {
    const m = re.exec(screen.slice(from));
    if (m) return from + m.index + m[0].length;
    await new Promise((r) => setImmediate(r));
  }
}

try {
  let at = await waitFor(/all 240 scenarios: [\s\S]*?watching for changes/, 0);
  const times = [];
  for (let i = 0; i < SAVES; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const t0 = performance.now();
    writeFileSync(file, `scenario "edited ${i}"\nbuf = mmap 8p rw private anon\nmlock buf ${1 + (i % 8)}p\nexpect locked_vm == ${1 + (i % 8)}p\n`);
    at = await waitFor(/re-ran 1 of 240 scenarios[\s\S]*?watching for changes/, at);
    times.push(performance.now() - t0);
  }
  process.stderr.write(`runner-watch-latency: target ${tgt}, saves ${times.map((t) => t.toFixed(0)).join(' ')} ms\n`);
  const m = median(times);
  report(`watch: save → result, one file of 240 (${tgt})`, m, 'ms median', '≤ 100', m <= 100);
} finally {
  child.stdin.write('q');
  await new Promise((r) => child.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
