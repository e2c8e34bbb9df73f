// main() in-process with fake streams (CommandIO): the same behaviour the
// spawned CLI shows, observable without a child process.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../runner/cli.js';
import { BROKEN, FAILING, PASSING, suite, memoryIO as io } from './helpers.js';


t.test('version, help, usage', async (t) => {
  const dir = suite({});
  const a = io(dir);
  t.equal(await main(['--version'], a.value), 0);
  t.match(a.stdout, /^mls \d+\.\d+\.\d+\n$/);
  const b = io(dir);
  t.equal(await main(['help', 'watch'], b.value), 0);
  t.match(b.stdout, /--poll/);
  const c = io(dir);
  t.equal(await main(['help', 'nope'], c.value), 2);
  const d = io(dir);
  t.equal(await main(['run', '--json'], d.value), 2);
  t.match(d.stderr, /--json does not apply to `mls run`/);
  const e = io(dir);
  t.equal(await main(['run', '--color', '--no-color'], e.value), 2);
  const f = io(dir, { MLS_TIMEOUT_MUL: 'x' });
  t.equal(await main(['run'], f.value), 2);
  t.match(f.stderr, /MLS_TIMEOUT_MUL must be a positive number/);
  const g = io(dir);
  t.equal(await main(['run', '--kernel', 'linux-9.9'], g.value), 2); // an unknown profile (`all` runs the matrix)
  const h = io(dir);
  t.equal(await main(['run', '-r', 'tap', '-r', 'json'], h.value), 2);
  t.match(h.stderr, /only one reporter can write to stdout/);
});

t.test('run inline (-j1) on the host target: json to stdout, closing line on stderr', async (t) => {
  const dir = suite({ 'a.mls': PASSING('a'), 'f.mls': FAILING, 'x.mls': BROKEN });
  const r = io(dir);
  const code = await main(['run', '--target', 'host', '-j1', '-r', 'json', '--no-cache'], r.value);
  t.equal(code, 2);
  const doc = JSON.parse(r.stdout);
  t.same(doc.files.map((f: { outcome: string }) => f.outcome), ['PASS', 'FAIL', 'ERROR']);
  t.equal(r.stderr, '1 passed, 2 failed, 0 skipped\n');
  const only = io(dir);
  t.equal(await main(['a.mls', '--target', 'host', '-j1', '-r', 'tap'], only.value), 0, 'a path alone means run');
  t.match(only.stdout, /^TAP version 14\n# Subtest: a\.mls — a\n/);
});

t.test('an aborted run reports what finished and returns 130', async (t) => {
  const dir = suite({ 'a.mls': PASSING('a'), 'b.mls': PASSING('b') });
  const r = io(dir);
  const ctl = new AbortController();
  ctl.abort();
  t.equal(await main(['run', '--target', 'host', '-j1', '-r', 'tap'], r.value, ctl.signal), 130);
  t.match(r.stdout, /# interrupted[\s\S]*1\.\.0\n/);
});

t.test('check, compile, list, fmt', async (t) => {
  const dir = suite({ 'a.mls': PASSING('a'), 'x.mls': BROKEN, 'messy.mls': 'scenario   "m"\nbuf =   mmap 4p rw private anon\n' });
  const c = io(dir);
  t.equal(await main(['check', 'a.mls', 'x.mls', 'missing.mls'], c.value), 2);
  t.match(c.stderr, /no \.mls file matches 'missing\.mls'/);
  const cj = io(dir);
  t.equal(await main(['check', '--json', 'a.mls'], cj.value), 0);
  t.same(JSON.parse(cj.stdout), [{ file: 'a.mls', messages: [] }]);
  const none = io(dir);
  t.equal(await main(['check'], none.value), 2);
  const comp = io(dir);
  t.equal(await main(['compile', 'nope.mls'], comp.value), 2);
  t.match(comp.stderr, /cannot read nope\.mls/);
  const l = io(dir);
  t.equal(await main(['list', 'a.mls', '--json'], l.value), 0);
  t.equal(JSON.parse(l.stdout)[0].checks.length, 6);
  const k = io(dir);
  const kc = await main(['list', '--kernels'], k.value);
  t.ok(kc === 0 ? /linux-6\.18/.test(k.stdout) : /not available|publish/.test(k.stderr), 'profiles, or why not');

  const check = io(dir);
  t.equal(await main(['fmt', '--check', 'messy.mls', 'a.mls'], check.value), 1);
  t.match(check.stdout, /messy\.mls: not formatted/);
  const before = readFileSync(join(dir, 'messy.mls'), 'utf8');
  const write = io(dir);
  t.equal(await main(['fmt', 'messy.mls'], write.value), 0);
  t.not(readFileSync(join(dir, 'messy.mls'), 'utf8'), before);
  const again = io(dir);
  t.equal(await main(['fmt', '--check', 'messy.mls'], again.value), 0, 'formatting is idempotent');
  writeFileSync(join(dir, 'y.mls'), 'scenario "y"\nbuf = = mmap (\n');
  const broken = io(dir);
  t.equal(await main(['fmt', 'y.mls'], broken.value), 2);
});

t.test('list: a missing path is an error (exit 2, id), an empty directory is not and says so (issue 16 finding 8)', async (t) => {
  const dir = suite({ 'a.mls': PASSING('a') });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'empty'));
  const miss = io(dir);
  t.equal(await main(['list', 'nope/'], miss.value), 2);
  t.match(miss.stderr, /no such file or directory: 'nope\/' \[mls\/no-such-path\]/);
  t.notMatch(miss.stdout, /0 scenarios/);
  const empty = io(dir);
  t.equal(await main(['list', 'empty'], empty.value), 0);
  t.match(empty.stderr, /no \.mls file in 'empty'/);
  t.match(empty.stdout, /^0 scenarios\n$/);
});
