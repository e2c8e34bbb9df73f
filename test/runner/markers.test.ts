import t from 'tap';
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
