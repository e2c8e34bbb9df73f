#!/usr/bin/env node
// `npm run bench`: run every bench/*.mjs (but lib.mjs and this file), collect
// the JSON result lines they print ({metric, value, unit, goal, ok}) and print
// one table. Other output of a bench goes to stderr as it comes. A row without
// a goal (goal '') is a measurement, not a verdict: its `met` cell stays empty.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && f !== 'lib.mjs' && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
const rows = [];
let failures = 0;

for (const b of benches) {
  process.stderr.write(`bench: ${b}\n`);
  const child = spawn(process.execPath, [fileURLToPath(new URL(b, import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.on('exit', r));
  for (const line of out.split('\n')) {
    if (!line.startsWith('{"metric"')) {
      if (line.trim()) process.stderr.write(`${b}: ${line}\n`);
      continue;
    }
    rows.push({ bench: b, ...JSON.parse(line) });
  }
  if (code !== 0) {
    failures++;
    rows.push({ bench: b, metric: `exited with code ${code}`, value: '', unit: '', goal: 'exit 0', ok: false });
  }
}

const header = ['bench', 'metric', 'value', 'unit', 'goal', 'met'];
const table = rows.map((r) => [r.bench.replace(/\.mjs$/, ''), r.metric, String(r.value), r.unit, r.goal ?? '', r.ok === undefined || r.ok === null || !r.goal ? '' : r.ok ? 'yes' : 'NO']);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of table) console.log(line(r));
process.exitCode = failures > 0 ? 1 : 0;
