// Long lines (issue 14 finding 10): a 1 MB line took 65 s, a 20 MB one ran out of heap.
// Bounded, not timed: the compiler runs in a child with a 64 MB heap, and the report's
// size is measured against the number of checks.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSource } from '../../grammar/compile.js';
import { excerpt } from '../../grammar/excerpt.js';
import { MAX_LINE_CHARS } from '../../grammar/parse.js';
import { BIN, cleanEnv, suite } from '../runner/helpers.js';

const clauses = (n: number) => Array.from({ length: n }, () => 'locked_vm == 0').join(', ');

t.test('a line past the limit is mls/line-too-long at the limit, in a 64 MB heap', async (t) => {
  const dir = suite({});
  writeFileSync(join(dir, 'long.mls'), `scenario "long"\nbuf = mmap 4p rw private anon\nexpect ${clauses(1_250_000)}\n`);
  t.ok(statSync(join(dir, 'long.mls')).size > 20e6, 'a 20 MB line');
  const r = spawnSync(process.execPath, ['--max-old-space-size=64', BIN, 'check', '--max-file-size', '32M', 'long.mls'], { cwd: dir, env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 2, `exit 2 with a diagnostic (mls check's for errors), not a crash: ${r.stderr.slice(-300)}`);
  t.match(r.stdout + r.stderr, new RegExp(`long\\.mls:3:${MAX_LINE_CHARS + 1}: error: .*limit is ${MAX_LINE_CHARS} \\[mls/line-too-long\\]`));
  // A long comment is not code: the line compiles.
  const c = compileSource(`scenario "c" # ${'x'.repeat(2 * MAX_LINE_CHARS)}\nbuf = mmap 4p rw private anon\n`, 'c.mls');
  t.same(c.messages.filter((m) => m.severity === 'error'), []);
});

t.test('checks on a long line carry an excerpt of it: the report grows with the checks, not checks x line', async (t) => {
  const n = 3_500; // 56 kB of clauses on one line
  const dir = suite({ 'wide.mls': `scenario "wide"\nbuf = mmap 4p rw private anon\nexpect ${clauses(n)}\n` });
  const r = spawnSync(process.execPath, [BIN, 'run', '--no-cache', '-j1', '-r', 'json=r.json', 'wide.mls'], { cwd: dir, env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr.slice(-300));
  const doc = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
  const checks = doc.files[0].checks as Array<{ location: { lineText?: string; lineTextColumn?: number; column: number } }>;
  t.equal(checks.filter((c) => c.location.lineText !== undefined && c.location.lineText.length <= 240).length, n + 1, 'every check: an excerpt');
  t.ok(statSync(join(dir, 'r.json')).size < n * 1000, `${statSync(join(dir, 'r.json')).size} bytes for ${n} checks (whole lines: ${n} x 56 kB)`);
  const last = checks[n]!.location;
  t.equal(last.lineText!.slice(last.column - last.lineTextColumn!, last.column - last.lineTextColumn! + 14), 'locked_vm == 0', 'the excerpt holds the span where lineTextColumn says');
});

t.test('excerpt windows', async (t) => {
  const line = 'a'.repeat(1000) + 'SPAN' + 'b'.repeat(1000);
  const e = excerpt(line, 1001, 4);
  t.equal(e.lineText.length, 240);
  t.equal(e.lineText.slice(1001 - e.lineTextColumn!, 1005 - e.lineTextColumn!), 'SPAN');
  t.same(excerpt('short', 2), { lineText: 'short' });
  t.same(excerpt('x'.repeat(300), 1), { lineText: 'x'.repeat(240) }, 'a window at the start needs no column');
  t.equal(excerpt('x'.repeat(300), 300).lineTextColumn, 61, 'at the end: the last 240 characters');
});
