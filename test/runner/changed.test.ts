import t from 'tap';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectChanged } from '../../runner/changed.js';
import { FAILING, PASSING, mls, suite } from './helpers.js';

t.test('selectChanged: the changed files, or all when the model or grammar changed', async (t) => {
  const files = [{ absPath: '/s/a.mls' }, { absPath: '/s/b.mls' }];
  t.same(selectChanged(files, ['/s/b.mls', '/s/README'], '/tool'), { files: [{ absPath: '/s/b.mls' }], all: false });
  t.same(selectChanged(files, ['/tool/runtime/mlock.ts'], '/tool').all, true);
  t.same(selectChanged(files, ['/tool/grammar/mls.ohm'], '/tool').all, true);
  t.same(selectChanged(files, ['/tool/runner/cli.ts'], '/tool').files, [], 'the runner does not change results');
});

t.test('run --changed: uncommitted and untracked scenario files; --changed=ref: since a commit', async (t) => {
  const cwd = suite({ 'a.mls': PASSING('a'), 'b.mls': PASSING('b'), 'c.mls': PASSING('c') });
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'base');
  t.equal(mls(['run', '--no-cache', '--changed'], { cwd }).status, 1, 'nothing changed: no scenario ran');
  writeFileSync(join(cwd, 'b.mls'), FAILING);
  writeFileSync(join(cwd, 'd.mls'), PASSING('new'));
  const r = mls(['run', '--no-cache', '--changed', '-r', 'json'], { cwd });
  t.equal(r.status, 1, 'b now fails');
  t.same(JSON.parse(r.stdout).files.map((f: { file: string }) => f.file), ['b.mls', 'd.mls']);
  t.match(r.stderr, /--changed HEAD: 2 of 4 scenario files changed/);
  git('add', '.');
  git('commit', '-qm', 'change');
  const since = mls(['list', '--no-cache', '--json', '--changed=HEAD~1'], { cwd });
  t.equal(since.status, 0, since.stderr);
  t.same(JSON.parse(since.stdout).map((s: { file: string }) => s.file), ['b.mls', 'd.mls']);
  const bad = mls(['run', '--no-cache', '--changed=nope'], { cwd });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--changed: git diff --name-only --no-renames nope -- failed: fatal: /);
});
