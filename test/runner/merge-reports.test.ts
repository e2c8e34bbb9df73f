import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILING, PASSING, mls, suite } from './helpers.js';

// Times differ between any two runs; everything else must be equal.
function normalize(s: string): string {
  return s
    .replace(/"(durationMs|startedAt)": ("[^"]*"|[\d.]+)/g, '"$1": X')
    .replace(/duration_ms: [\d.]+/g, 'duration_ms: X')
    .replace(/ (time|timestamp)="[^"]*"/g, ' $1="X"');
}

const files = {
  'a/pass.mls': PASSING('first'),
  'a/fail.mls': FAILING,
  'b/skip.mls': 'scenario "old kernels only"\nkernel < 4.0\np = mmap 1p rw private anon\nexpect locked_vm == 0\n',
  'b/broken.mls': 'scenario "broken"\nbuf = mmap 16q rw private anon\n',
  'c/pass2.mls': PASSING('second'),
  'c/pass3.mls': PASSING('third'),
  'c/zz.mls': PASSING('last'),
};

t.test('three merged shards equal one run: TAP, TAP 13, JUnit and JSON', async (t) => {
  const cwd = suite(files);
  const reporters = (dir: string) => ['-r', `tap=${dir}/out.tap`, '-r', `tap13=${dir}/out.tap13`, '-r', `junit=${dir}/out.xml`, '-r', `json=${dir}/out.json`];
  const single = mls(['run', '.', '--no-cache', ...reporters('single')], { cwd });
  t.equal(single.status, 2, 'a scenario that does not compile: exit 2');
  for (let i = 1; i <= 3; i++) {
    const shard = mls(['run', '.', '--no-cache', '--shard', `${i}/3`, '-r', `json=shards/shard-${i}.json`], { cwd });
    t.ok([0, 1, 2].includes(shard.status!), shard.stderr);
  }
  const merged = mls(['merge-reports', 'shards', ...reporters('merged')], { cwd });
  t.equal(merged.status, single.status, merged.stderr);
  t.equal(merged.stdout, '4 passed, 2 failed, 1 skipped\n', 'every report went to a file: the closing line on stdout');
  for (const f of ['out.tap', 'out.tap13', 'out.xml', 'out.json']) {
    const a = normalize(readFileSync(join(cwd, 'single', f), 'utf8'));
    const b = normalize(readFileSync(join(cwd, 'merged', f), 'utf8'));
    t.equal(b, a, `${f}: merged shards equal the single run`);
  }
  const doc = JSON.parse(readFileSync(join(cwd, 'merged', 'out.json'), 'utf8'));
  t.same(doc.summary, { passed: 4, failed: 2, errors: 1, skipped: 1, total: 7 });
  t.same(doc.files.map((f: { file: string }) => f.file), Object.keys(files).sort());
});

t.test('merge-reports: bad reports are errors with a location and an id, exit 2', async (t) => {
  const cwd = suite({ 'x.mls': PASSING('x') });
  t.equal(mls(['run', 'x.mls', '--no-cache', '-r', 'json=r/one.json'], { cwd }).status, 0);
  writeFileSync(join(cwd, 'broken.json'), '{\n  "schemaVersion": 1,\n  oops\n}\n');
  const bad = mls(['merge-reports', 'broken.json'], { cwd });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /broken\.json:3:3: error: broken\.json is not JSON: .* \[merge\/invalid-json\]/);
  t.notMatch(bad.stderr, /\n\s+at /, 'no stack trace');

  writeFileSync(join(cwd, 'other.json'), '{"schemaVersion": 1}\n');
  t.match(mls(['merge-reports', 'other.json'], { cwd }).stderr, /other\.json is not an mls results document: .*required property 'tool'.*\[merge\/not-results\]/);

  const twice = mls(['merge-reports', 'r', 'r/one.json'], { cwd });
  t.equal(twice.status, 2);
  t.match(twice.stderr, /x\.mls \(linux-6\.18\) is in both r\/one\.json and r\/one\.json.*\[merge\/duplicate\]/);

  t.match(mls(['merge-reports', 'nowhere'], { cwd }).stderr, /no such file or directory: nowhere \[merge\/not-found\]/);
  const ok = mls(['merge-reports', 'r', '-r', 'dot'], { cwd });
  t.equal(ok.status, 0, ok.stderr);
  t.equal(ok.stdout, '.\n1 passed, 0 failed, 0 skipped\n');
});
