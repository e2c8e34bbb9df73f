import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'tap-parser';
import { FileSink } from '../../runner/reporters/sink.js';
import { Tap13Reporter } from '../../runner/reporters/tap13.js';
import { plain } from '../../runner/render/style.js';
import { sampleResults } from './fixtures/results.js';
import { BIN, FAILING, PASSING, cleanEnv, suite } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mls-tap13-'));

async function produce(): Promise<string> {
  const path = join(dir, 'out.tap');
  const doc = sampleResults();
  const r = new Tap13Reporter({ sink: new FileSink(path), style: plain, ci: true, columns: 80 });
  r.start(doc.files.length);
  for (const f of doc.files) r.file(f);
  await r.end(doc);
  return readFileSync(path, 'utf8');
}

t.test('tap13: a flat TAP 13 stream, one point per check, valid for tap-parser in strict mode', async (t) => {
  const tap = await produce();
  t.match(tap, /^TAP version 13\n/);
  t.notMatch(tap, /^ +(not )?ok \d|^ +1\.\./m, 'no indented subtests: TAP 13 consumers ignore them');
  t.match(tap, /\nnot ok \d+ - b\.mls \(needs \\# escaping \\\\ and newlines here\): locked_vm == 4p\n {2}---\n/);
  t.match(tap, /\nnot ok \d+ - c\.mls: mls\/parse: expected a size, got "16q"\n/);
  t.match(tap, /\nok \d+ - d\.mls \(lock four pages\) # SKIP needs hugetlb \\# pages\n/);
  t.match(tap, /# Totals: pass:\d+ fail:[1-9]\d* xfail:0 xpass:0 skip:[1-9]\d* error:1\n# 1 passed, 2 failed, 1 skipped\n$/);

  const p = new Parser({ strict: true });
  const done = new Promise<{ ok: boolean; count: number; plan: { end: number }; fail: number; skip: number; failures: Array<{ tapError?: string }> }>((res) => p.on('complete', res));
  p.end(`pragma +strict\n${tap}`);
  const final = await done;
  t.equal(final.ok, false);
  t.equal(final.count, final.plan.end, 'the plan counts every point');
  t.same(final.failures.filter((f) => f.tapError), [], 'no TAP syntax errors in strict mode');
  const totals = /pass:(\d+) fail:(\d+) xfail:0 xpass:0 skip:(\d+) error:(\d+)/.exec(tap)!.slice(1).map(Number);
  t.equal(final.fail, totals[1]! + totals[3]!, 'fail + error points are the not-ok ones');
  t.equal(final.skip, totals[2]!);
});

t.test('prove runs .mls files through `mls run -r tap13` and reports failures and skips', async (t) => {
  const cwd = suite({
    'pass.mls': PASSING('two checks pass'),
    'fail.mls': FAILING,
    // A profile the default kernel is not: the whole scenario SKIPs on the model.
    'skip.mls': 'scenario "old kernels only"\nkernel < 4.0\np = mmap 1p rw private anon\nexpect locked_vm == 0\n',
    // A placeholder expectation is a check-level SKIP.
    'todo.mls': 'scenario "placeholder"\np = mmap 1p rw private anon\nexpect locked_vm\n',
  });
  const run = (files: string[]) => spawnSync('prove', ['-v', '-e', `${process.execPath} ${BIN} run -r tap13 --no-cache`, ...files], { cwd, encoding: 'utf8', env: cleanEnv() });

  const green = run(['pass.mls', 'skip.mls', 'todo.mls']);
  t.equal(green.status, 0, green.stdout + green.stderr);
  t.match(green.stdout, /ok 1 - skip\.mls \(old kernels only\) # SKIP scenario needs kernel < 4\.0/);
  t.match(green.stdout, /ok 2 - todo\.mls \(placeholder\): locked_vm # SKIP no expected value/);
  t.match(green.stdout, /Files=3, Tests=\d+/);
  t.match(green.stdout, /Result: PASS/);
  t.notMatch(green.stdout + green.stderr, /Parse errors|unknown|later than 13|Wide character/i);

  const red = run(['pass.mls', 'fail.mls']);
  t.equal(red.status, 1, red.stdout);
  t.match(red.stdout, /not ok 3 - fail\.mls \(wrong expectation\): locked_vm == 8p/);
  t.match(red.stdout, /expected: 8p/);
  t.match(red.stdout, /fail\.mls\s+\(Wstat: 256 \(exited 1\) Tests: 3 Failed: 1\)\n\s+Failed test:\s+3/);
  t.match(red.stdout, /Result: FAIL/);
  t.notMatch(red.stdout + red.stderr, /Parse errors|later than 13/i);
});
