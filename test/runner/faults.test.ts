// A worker that hangs, exhausts its heap or crashes yields an ERROR for that
// scenario and the run goes on (the faults come from the test-only hook
// MLS_TEST_WORKER_FAULT documented in runner/worker.ts). SIGINT mid-run still
// reports what finished, with valid TAP and complete JSON, and exits 130.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'tap-parser';
import { PASSING, mls, mlsAsync, suite } from './helpers.js';

const TARGET = ['--target', 'host'];

t.test('hang, out-of-memory and crash each give ERROR; the rest pass', async (t) => {
  const dir = suite({
    'a-ok.mls': PASSING('ok a'), 'b-hang.mls': PASSING('hangs'), 'c-oom.mls': PASSING('eats memory'),
    'd-crash.mls': PASSING('crashes'), 'e-ok.mls': PASSING('ok e'), 'f-ok.mls': PASSING('ok f'),
  });
  const started = Date.now();
  // 4 s: running a 64 MiB heap out of memory (V8's last-resort GCs included) took up to 1.9 s
  // on a 2-core machine at load 10, and a timeout there would be reported instead.
  const r = mls(['run', ...TARGET, '-j2', '--timeout', '4000', '-r', 'json'], {
    cwd: dir, env: { MLS_TEST_WORKER_FAULT: 'hang:b-hang,oom:c-oom,crash:d-crash', MLS_WORKER_HEAP_MB: '64' },
  });
  t.equal(r.status, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  const by = Object.fromEntries(doc.files.map((f: { file: string; outcome: string; messages: Array<{ id: string }> }) => [f.file, f]));
  t.equal(by['a-ok.mls'].outcome, 'PASS');
  t.equal(by['e-ok.mls'].outcome, 'PASS');
  t.equal(by['f-ok.mls'].outcome, 'PASS');
  t.equal(by['b-hang.mls'].outcome, 'ERROR');
  t.equal(by['b-hang.mls'].messages[0].id, 'run/timeout');
  t.equal(by['c-oom.mls'].outcome, 'ERROR');
  t.equal(by['c-oom.mls'].messages[0].id, 'run/out-of-memory');
  t.equal(by['d-crash.mls'].outcome, 'ERROR');
  t.equal(by['d-crash.mls'].messages[0].id, 'run/worker-crash');
  t.same(doc.summary, { passed: 3, failed: 3, errors: 3, skipped: 0, total: 6 });
  t.ok(Date.now() - started < 30_000, 'the hang is cut at its timeout');
});

t.test('SIGINT: finished results reported, TAP closed validly, JSON complete, exit 130', async (t) => {
  const dir = suite({ 'a.mls': PASSING('first'), 'b-hang.mls': PASSING('never ends'), 'c.mls': PASSING('third') });
  // The hook applies in workers only (not -j1 inline): two workers, one of them hung.
  const run = mlsAsync(['run', ...TARGET, '-j2', '-r', 'tap', '-r', 'json=out.json', '--timeout', '60000'], {
    cwd: dir, env: { MLS_TEST_WORKER_FAULT: 'hang:b-hang' },
  });
  let out = '';
  run.stdout.on('data', (d) => (out += d));
  let err = '';
  run.stderr.on('data', (d) => (err += d));
  // a.mls is reported once b-hang.mls is running; c.mls finishes on the other worker.
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      if (out.includes('ok 1 - a.mls')) {
        clearInterval(tick);
        setTimeout(resolve, 700);
      }
    }, 50);
  });
  run.kill('SIGINT');
  const code = await new Promise<number | null>((r) => run.on('exit', (c) => r(c)));
  t.equal(code, 130, err);
  t.match(err, /interrupted/);
  const p = new Parser({ strict: true });
  const done = new Promise<{ ok: boolean; count: number; plan: { end: number }; failures: Array<{ tapError?: string }> }>((r) => p.on('complete', r));
  p.end(out);
  const tap = await done;
  t.same(tap.failures.filter((f) => f.tapError), [], 'valid TAP');
  t.ok(tap.count >= 1 && tap.count === tap.plan.end, 'the plan matches what was reported');
  t.match(out, /# interrupted/);
  const doc = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
  t.equal(doc.interrupted, true);
  t.ok(doc.files.some((f: { file: string }) => f.file === 'a.mls'));
  // The scenario running when the signal came is reported, as interrupted (issue 14: not silently dropped).
  const hung = doc.files.find((f: { file: string }) => f.file === 'b-hang.mls');
  t.equal(hung?.outcome, 'ERROR');
  t.equal(hung?.messages[0].id, 'run/interrupted');
});

t.test('a fault inside a batch of files costs only that scenario; the batch\'s other files are re-queued', async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`s${String(i).padStart(2, '0')}.mls`] = PASSING(`s${i}`);
  const dir = suite(files);
  // 40 files on 2 workers go out in batches of 5: s12 and s27 sit in the middle of theirs.
  const r = mls(['run', ...TARGET, '-j2', '--timeout', '1500', '-r', 'json'], {
    cwd: dir, env: { MLS_TEST_WORKER_FAULT: 'hang:s12.mls,crash:s27.mls' },
  });
  const doc = JSON.parse(r.stdout);
  t.same(doc.summary, { passed: 38, failed: 2, errors: 2, skipped: 0, total: 40 });
  const errors = doc.files.filter((f: { outcome: string }) => f.outcome === 'ERROR').map((f: { file: string; messages: Array<{ id: string }> }) => [f.file, f.messages[0]!.id]);
  t.same(errors, [['s12.mls', 'run/timeout'], ['s27.mls', 'run/worker-crash']]);
  t.same(doc.files.map((f: { file: string }) => f.file), Object.keys(files).sort(), 'reported in file order');
});
