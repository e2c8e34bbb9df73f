// mls compare speaks the language (issue 16 finding 7): fields as `expect` names them,
// sizes as `8p (32 kB)`, and a difference shown where it appears or changes, not
// again at every later step.
import t from 'tap';
import { newDifferences, type ComparedStep } from '../../runner/commands/compare.js';
import { fieldWords, valueWords } from '../../runner/comparison/words.js';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from './helpers.js';

t.test('paths in the language\'s words', async (t) => {
  t.same(fieldWords('status.VmLck'), { field: 'locked_vm', bytes: true });
  t.same(fieldWords('lockedTotal'), { field: 'locked', bytes: true });
  t.same(fieldWords('mapCount'), { field: 'map_count', bytes: false });
  t.same(fieldWords('regions.buf.vmas[0].locked'), { field: 'buf locked', bytes: true });
  t.same(fieldWords('regions.buf.vmas[0].anonHuge', () => 3), { field: 'buf anon_huge (VMA 1)', bytes: true }, 'an index only when there are several');
  t.same(fieldWords('regions.buf.vmas[1].flags'), { field: 'buf flags (VMA 2)', bytes: false });
  t.same(fieldWords('regions.buf.resident'), { field: 'buf resident pages', bytes: false });
  t.equal(valueWords(32768, true), '8p (32 kB)');
  t.equal(valueWords(0, true), '0');
  t.equal(valueWords([[0, 2], [4, 5]], false), 'pages 0-1, 4');
  t.equal(valueWords('ENOSYS', false), 'ENOSYS');
});

const step = (s: number, path: string, a: string, b: string): ComparedStep =>
  ({ step: s, line: s + 1, statement: '', proc: 'main', path, field: path, a, b, aText: a, bText: b });

t.test('a difference that lasts is shown once; a change or a return is shown again', async (t) => {
  const shown = newDifferences([
    step(1, 'x', '0', '8p'), step(1, 'y', 'a', 'b'),
    step(2, 'x', '0', '8p'), step(2, 'y', 'a', 'b'), step(2, 'z', '0', '1p'),
    step(3, 'x', '0', '8p'), step(3, 'z', '0', '2p'),
    step(5, 'x', '0', '8p'),
  ]).map((d) => `${d.step} ${d.path}`);
  t.same(shown, ['1 x', '1 y', '2 z', '3 z', '5 x'], 'step 5 follows a step without differences: shown again');
});

t.test('mls compare: no repeated block, the language\'s words', async (t) => {
  const dir = suite({});
  writeFileSync(join(dir, 'c.mls'), 'scenario "c"\nbuf = mmap 8p rw private anon\nmlock2 buf onfault\nexpect locked_vm == 8p\nwrite buf\nexpect buf locked == 1p\n');
  const bin = fileURLToPath(new URL('../../bin/mls.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, 'compare', 'linux-4.3', 'linux-6.18', 'c.mls'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  t.equal(r.status, 1);
  t.match(r.stdout, /c\.mls:3  mlock2 buf onfault\n      result: ENOSYS → ok 0\n      locked_vm: 0 → 8p \(32 kB\)\n      buf flags: /);
  t.match(r.stdout, /c\.mls:5  write buf\n      locked: 0 → 1p \(4 kB\)\n      buf locked: 0 → 1p \(4 kB\)\n/);
  t.notMatch(r.stdout, /c\.mls:4|c\.mls:6/, 'steps that only carry differences over are not shown');
  t.notMatch(r.stdout, /status\.|lockedTotal|regions\./, 'no internal names');
  t.equal(r.stdout.match(/locked_vm:/g)?.length, 1, 'locked_vm once, not at every later step');
});
