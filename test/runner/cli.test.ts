import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Parser } from 'tap-parser';
import { BROKEN, FAILING, PASSING, ROOT, mls, mlsAsync, suite } from './helpers.js';

// The host target runs real syscalls: expected values are the kernel's own.
const TARGET = ['--target', 'host'];

async function parseTap(text: string) {
  const p = new Parser({ strict: true });
  const done = new Promise<{ ok: boolean; count: number; pass: number; fail: number; skip: number; failures: Array<{ tapError?: string }> }>((r) => p.on('complete', r));
  p.end(text);
  return done;
}

t.test('usage errors: exit 2, one clear line, no stack trace', async (t) => {
  const dir = suite({});
  for (const [args, re] of [
    [['run', '--frobnicate'], /unknown option --frobnicate/],
    [['--filtr', 'x'], /did you mean --filter\?/],
    [['run', '-j', '0'], /--jobs needs an integer ≥ 1/],
    [['run', '--shard', '3/2'], /--shard needs i\/n/],
    [['run', '--reporter', 'tapp'], /unknown reporter 'tapp' \(did you mean tap\?\)/],
    [['run', '-t', '('], /invalid regular expression/],
    [['list', '--bail'], /does not apply to `mls list`/],
    [['rn'], /unknown command 'rn' \(did you mean `mls run`\?\)/],
  ] as const) {
    const r = mls([...args], { cwd: dir });
    t.equal(r.status, 2, args.join(' '));
    t.match(r.stderr, re);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

t.test('help is generated from the option table, globally and per command', async (t) => {
  const dir = suite({});
  const g = mls(['--help'], { cwd: dir });
  t.equal(g.status, 0);
  t.match(g.stdout, /Commands:\n\s+run/);
  t.match(g.stdout, /-j, --jobs <n>/);
  t.match(g.stdout, /130\s+interrupted/);
  const f = mls(['fmt', '--help'], { cwd: dir });
  t.match(f.stdout, /Usage: mls fmt \[--check\] <paths…>/);
  t.notMatch(f.stdout, /--jobs/, 'per-command help lists only that command\'s options');
});

t.test('fuzz rejects a bad option value with a usage error (exit 2)', async (t) => {
  const r = mls(['fuzz', '--count', 'abc'], { cwd: suite({}) });
  t.equal(r.status, 2);
  t.match(r.stderr, /--count needs an integer/);
});

t.test('exit codes: 0 all passed, 1 a failure, 2 a scenario that does not compile', async (t) => {
  const pass = suite({ 'a.mls': PASSING('a'), 'sub/b.mls': PASSING('b') });
  const r0 = mls(['run', '.', ...TARGET, '-r', 'tap'], { cwd: pass });
  t.equal(r0.status, 0, r0.stderr);
  t.match(r0.stdout, /# 2 passed, 0 failed, 0 skipped\n$/);
  const fail = suite({ 'a.mls': PASSING('a'), 'f.mls': FAILING });
  const r1 = mls(['run', ...TARGET, '-r', 'spec'], { cwd: fail });
  t.equal(r1.status, 1);
  t.match(r1.stdout, /- expected\s+8p \(32 kB\)\n\s+\+ actual\s+4p \(16 kB\)/);
  t.match(r1.stdout, /\n1 passed, 1 failed, 0 skipped\n$/);
  const broken = suite({ 'a.mls': PASSING('a'), 'x.mls': BROKEN });
  const r2 = mls([...TARGET, '-r', 'spec'], { cwd: broken });
  t.equal(r2.status, 2);
  t.match(r2.stdout, /x\.mls:2:14: error: .*\[mls\/[a-z-]+\]\n\s+2 │ buf = mmap 16q rw private anon\n\s+╵\s+\^/);
});

t.test('nothing matched: exit 1 with a message, or 0 with --pass-with-no-tests', async (t) => {
  const dir = suite({ 'a.mls': PASSING('alpha') });
  const none = mls(['run', 'nope/', ...TARGET], { cwd: dir });
  t.equal(none.status, 1);
  t.match(none.stderr, /no scenario files found/);
  const filtered = mls(['run', ...TARGET, '-t', '^zzz'], { cwd: dir });
  t.equal(filtered.status, 1);
  t.match(filtered.stderr, /no scenario matches --filter \^zzz/);
  const ok = mls(['run', ...TARGET, '-t', '^zzz', '--pass-with-no-tests'], { cwd: dir });
  t.equal(ok.status, 0);
});

t.test('-t filters by scenario name; --shard splits files deterministically', async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 5; i++) files[`s${i}.mls`] = PASSING(i % 2 ? `odd ${i}` : `even ${i}`);
  const dir = suite(files);
  const odd = mls(['run', ...TARGET, '-t', '^odd', '-r', 'json'], { cwd: dir });
  t.same(JSON.parse(odd.stdout).files.map((f: { name: string }) => f.name), ['odd 1', 'odd 3']);
  const seen: string[] = [];
  for (const s of ['1/2', '2/2']) {
    const r = mls(['run', ...TARGET, '--shard', s, '-r', 'json'], { cwd: dir });
    seen.push(...JSON.parse(r.stdout).files.map((f: { file: string }) => f.file));
  }
  t.same(seen.sort(), ['s0.mls', 's1.mls', 's2.mls', 's3.mls', 's4.mls'], 'shards cover every file exactly once');
});

t.test('--bail stops dispatching after n failures', async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 6; i++) files[`f${i}.mls`] = FAILING;
  const r = mls(['run', ...TARGET, '-j1', '--bail', '-r', 'json'], { cwd: suite(files) });
  t.equal(r.status, 1);
  const doc = JSON.parse(r.stdout);
  t.equal(doc.files.length, 1);
  t.equal(doc.interrupted, true);
  t.match(r.stderr, /bailed out after 1 failed scenario; 5 not run/);
});

t.test('tap on stdout, junit and json to files, all in one run', async (t) => {
  const dir = suite({ 'a.mls': PASSING('a'), 'f.mls': FAILING, 'x.mls': BROKEN });
  const r = mls(['run', ...TARGET, '-r', 'tap', '-r', 'junit=out/junit.xml', '-r', 'json=out/results.json'], { cwd: dir });
  t.equal(r.status, 2);
  const tap = await parseTap(r.stdout);
  t.same(tap.failures.filter((f) => f.tapError), []);
  t.equal(tap.count, 3);
  t.equal(tap.fail, 2);
  const doc = JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8'));
  const validate = new Ajv({ strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'schema/results.schema.json'), 'utf8')));
  t.ok(validate(doc), JSON.stringify(validate.errors));
  t.same(doc.summary, { passed: 1, failed: 2, errors: 1, skipped: 0, total: 3 });
  const xml = readFileSync(join(dir, 'out/junit.xml'), 'utf8');
  t.equal([...xml.matchAll(/<testsuite /g)].length, 3);
  t.match(xml, /<failure /);
  t.match(xml, /<error [^>]*type="mls\//);
});

t.test('stdout closed early (`mls run | head`): no crash, and the report files are still complete', async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`s${i}.mls`] = PASSING(`s${i}`);
  const dir = suite(files);
  const child = mlsAsync(['run', '-j1', '-r', 'tap', '-r', 'json=out/results.json'], { cwd: dir });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Like `head -1`: read the first chunk, then close the pipe.
  await new Promise<void>((r) => child.stdout.once('data', () => { child.stdout.destroy(); r(); }));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  t.equal(code, 0, stderr);
  t.notMatch(stderr, /EPIPE|at .*\.js:\d+/, 'no stack trace');
  const doc = JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8'));
  t.same(doc.summary, { passed: 40, failed: 0, errors: 0, skipped: 0, total: 40 });
});

t.test('check: every diagnostic of every file, exit 2 on errors; compile --json prints the IR', async (t) => {
  const dir = suite({ 'a.mls': PASSING('a'), 'x.mls': BROKEN, 'y.mls': 'scenario "y"\nmlock nowhere\n' });
  const c = mls(['check', '.'], { cwd: dir });
  t.equal(c.status, 2);
  t.match(c.stdout, /x\.mls:2:14: error/);
  t.match(c.stdout, /y\.mls:2:7: error: .*nowhere/);
  t.match(c.stdout, /3 files checked: 2 errors/);
  t.equal(mls(['check', 'a.mls'], { cwd: dir }).status, 0);
  const ir = mls(['compile', 'a.mls', '--json'], { cwd: dir });
  t.equal(ir.status, 0);
  t.equal(JSON.parse(ir.stdout).name, 'a');
  t.equal(mls(['compile', 'x.mls', '--json'], { cwd: dir }).status, 2);
});

t.test('list prints the catalogue; --json is machine-readable', async (t) => {
  const dir = suite({ 'a.mls': PASSING('alpha'), 'b.mls': PASSING('beta') });
  const r = mls(['list'], { cwd: dir });
  t.match(r.stdout, /a\.mls {2}alpha {2}\(6 checks\)/);
  const j = JSON.parse(mls(['list', '--json', '-t', 'beta'], { cwd: dir }).stdout);
  t.same(j.map((s: { name: string }) => s.name), ['beta']);
});
