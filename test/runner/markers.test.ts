import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'tap-parser';
import { FAILING, PASSING, mls, suite } from './helpers.js';

const marked = (text: string, marker: string) => text.replace(/\n/, `\n${marker}\n`);

t.test('skip "reason": SKIP with the reason, not run', async (t) => {
  const cwd = suite({ 'a.mls': marked(FAILING, 'skip "waits for the fix"'), 'b.mls': PASSING('b'), 'c.mls': marked(FAILING, 'skip') });
  const r = mls(['run', '--no-cache', '-r', 'tap13'], { cwd });
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, /ok 1 - a\.mls \(wrong expectation\) # SKIP skip: waits for the fix\n/);
  t.match(r.stdout, /# SKIP skip \(marked in the scenario\)\n/);
  t.match(r.stdout, /# 1 passed, 0 failed, 2 skipped/);
});

t.test('only: just the marked scenarios run (in every shard); --forbid-only makes it an error', async (t) => {
  const cwd = suite({ 'a.mls': PASSING('a'), 'b.mls': marked(PASSING('b'), 'only'), 'c.mls': FAILING, 'd.mls': marked(PASSING('d'), 'only  # for now') });
  const r = mls(['run', '--no-cache', '-r', 'json'], { cwd });
  t.equal(r.status, 0, r.stderr);
  t.same(JSON.parse(r.stdout).files.map((f: { file: string }) => f.file), ['b.mls', 'd.mls']);
  t.match(r.stderr, /`only` in b\.mls, d\.mls: running only those scenarios/);
  // Shard 1 of 2 holds a.mls and c.mls, neither marked: it runs nothing rather than everything.
  const shard = mls(['run', '--no-cache', '--shard', '1/2', '--pass-with-no-tests'], { cwd });
  t.equal(shard.status, 0, shard.stderr);
  t.match(shard.stderr, /no scenario ran/);
  const ci = mls(['run', '--no-cache', '--forbid-only'], { cwd });
  t.equal(ci.status, 2);
  t.match(ci.stderr, /b\.mls:2:1: error: `only` in a scenario while --forbid-only is given \[run\/only-forbidden\]/);
  t.match(ci.stderr, /d\.mls:2:1: error/);
  t.notMatch(ci.stderr, /\n\s+at /);
});

t.test('todo "reason": the failure is reported as TODO in every format and fails nothing', async (t) => {
  const cwd = suite({ 'a.mls': marked(FAILING, 'todo "the model is wrong here"'), 'b.mls': PASSING('b') });
  const r = mls(['run', '--no-cache', '-r', 'spec', '-r', 'tap=out.tap', '-r', 'tap13=out.tap13', '-r', 'junit=out.xml', '-r', 'json=out.json'], { cwd });
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, / TODO  a\.mls — wrong expectation \(todo: the model is wrong here; does not fail the run\)/);
  t.match(r.stdout, /\n1 passed, 0 failed, 0 skipped, 1 todo\n$/);
  const read = (f: string) => readFileSync(join(cwd, f), 'utf8');
  t.match(read('out.tap'), /\n {4}not ok 3 - locked_vm == 8p # TODO the model is wrong here\n/);
  t.match(read('out.tap'), /\nnot ok 1 - a\.mls — wrong expectation # TODO the model is wrong here\n/);
  t.match(read('out.tap13'), /\nnot ok 3 - a\.mls \(wrong expectation\): locked_vm == 8p # TODO the model is wrong here\n/);
  t.match(read('out.tap13'), /# Totals: pass:\d+ fail:0 xfail:1 xpass:0/);
  t.match(read('out.xml'), /<skipped message="todo: the model is wrong here: locked_vm: expected 8p \(32 kB\), got 4p \(16 kB\)"\/>/);
  t.notMatch(read('out.xml'), /<failure/);
  const doc = JSON.parse(read('out.json'));
  t.same(doc.summary, { passed: 1, failed: 0, errors: 0, skipped: 0, total: 2, todo: 1 });
  t.equal(doc.files[0].todo, 'the model is wrong here');
  // TAP consumers agree: a failing TODO point passes.
  for (const f of ['out.tap', 'out.tap13']) {
    const p = new Parser();
    const done = new Promise<{ ok: boolean; todo: number }>((res) => p.on('complete', res));
    p.end(read(f));
    const final = await done;
    t.equal(final.ok, true, `${f}: tap-parser passes the run`);
    t.ok(final.todo >= 1, `${f}: and counts the TODO`);
  }
  const prove = spawnSync('prove', ['-e', 'cat', join(cwd, 'out.tap13')], { encoding: 'utf8' });
  t.equal(prove.status, 0, prove.stdout + prove.stderr);
  t.match(prove.stdout, /Result: PASS/);
});
