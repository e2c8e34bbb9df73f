#!/usr/bin/env node
// Compile speed of the .mls front end (needs `npm run build`): prints ms and
// lines/s for a file of distinct statements and for one of repeated statements.
import { compileSource } from '../dist/grammar/compile.js';
import { report } from './lib.mjs';

// Distinct lines differ from run to run too (the parser caches lines process-wide).
function distinct(n) {
  const lines = ['scenario "bench"', 'buf = mmap 1G rw private anon'];
  for (let i = n; i < 2 * n; i++) lines.push(`mlock buf + ${i}p ${1 + (i % 7)}p => ok, ENOMEM on linux-4.4`, `expect locked_vm >= ${i}p`);
  return lines.join('\n') + '\n';
}
function repeated(n) {
  const lines = ['scenario "bench"', 'buf = mmap 1G rw private anon'];
  for (let i = 0; i < n; i++) lines.push(`mlock buf + ${i % 10}p 4p => ok, ENOMEM on linux-4.4`, `expect locked_vm >= ${i % 5}p`);
  return lines.join('\n') + '\n';
}
for (const [name, make] of [['distinct', distinct], ['repeated', repeated]]) {
  for (const n of [1000, 10000]) {
    const text = make(n);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = compileSource(text, 'bench.mls');
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpuMs = (c.user + c.system) / 1000;
    const lines = text.split('\n').length;
    // CPU time as well: other processes sharing the cores inflate wall time, not CPU time.
    if (n === 10000) {
      report(`compile ${lines} ${name} lines (one file)`, lines / (ms / 1000), 'lines/s', '', undefined);
      report(`  same, per CPU second`, lines / (cpuMs / 1000), 'lines/s', '', undefined);
    }
    process.stderr.write(`${name.padEnd(9)} ${String(lines).padStart(6)} lines ${(text.length / 1024).toFixed(0).padStart(5)} KiB  ${ms.toFixed(0).padStart(6)} ms  ${Math.round(lines / (ms / 1000))} lines/s  ${r.messages.length} messages\n`);
  }
}
