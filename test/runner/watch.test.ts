// mls watch on real files: edit, add, rename, delete, break the syntax, use
// the keys, and read what it prints.
import t from 'tap';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILING, PASSING, mlsAsync, suite } from './helpers.js';
import { describePlan, planRerun } from '../../runner/watch/plan.js';
import { KeyReader } from '../../runner/watch/keys.js';

t.test('planRerun: only what changed, by content; code changes re-run all', async (t) => {
  const prev = { files: new Map([['a.mls', '1'], ['b.mls', '2'], ['c.mls', '3']]), code: 'x' };
  const same = planRerun(prev, { files: new Map(prev.files), code: 'x' });
  t.same(same.run, [], 'a save that changes nothing re-runs nothing');
  const p = planRerun(prev, { files: new Map([['a.mls', '1'], ['b.mls', '9'], ['d.mls', '4']]), code: 'x' });
  t.same(p, { run: ['b.mls', 'd.mls'], added: ['d.mls'], changed: ['b.mls'], removed: ['c.mls'], all: false });
  t.equal(describePlan(p, 3), 're-ran 2 of 3 scenarios (changed: b.mls; added: d.mls; removed: c.mls)');
  const code = planRerun(prev, { files: new Map(prev.files), code: 'y' });
  t.same(code.run, ['a.mls', 'b.mls', 'c.mls']);
  t.ok(code.all);
});

t.test('keys: a f t<pattern>Enter, Enter, q; Escape cancels a prompt', async (t) => {
  const k = new KeyReader();
  t.same(k.feed('af\r'), [{ kind: 'all' }, { kind: 'failed' }, { kind: 'rerun' }]);
  t.same(k.feed('tmlo'), [{ kind: 'prompt' }]);
  t.ok(k.prompting);
  t.same(k.feed('ck\x7f\x7fck\n'), [{ kind: 'filter', pattern: 'mlock' }]);
  t.same(k.feed('tzz\x1bq'), [{ kind: 'prompt' }, { kind: 'quit' }]);
});

class Screen {
  text = '';
  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (d) => (this.text += d));
  }
  /** Wait until `re` matches the output written after `from`; returns the end of the match. */
  async waitFor(re: RegExp, from: number, ms = 15_000): Promise<number> {
    const start = Date.now();
    for (;;) {
      const m = re.exec(this.text.slice(from));
      if (m) return from + m.index + m[0].length;
      if (Date.now() - start > ms) throw new Error(`timed out waiting for ${re}; screen:\n${this.text.slice(from)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

t.test('watch re-runs what changed and keeps going through syntax errors', async (t) => {
  const dir = suite({ 'a.mls': PASSING('a'), 'b.mls': PASSING('b') });
  const w = mlsAsync(['watch', '.', '--target', 'host', '-j2'], { cwd: dir });
  const screen = new Screen(w.stdout);
  let err = '';
  w.stderr.on('data', (d) => (err += d));
  t.teardown(() => {
    w.kill('SIGKILL');
  });
  let at = await screen.waitFor(/all 2 scenarios: 2 passed, 0 failed, 0 skipped\nwatching for changes/, 0);

  writeFileSync(join(dir, 'a.mls'), PASSING('a')); // same bytes
  await new Promise((r) => setTimeout(r, 600));
  t.notMatch(screen.text.slice(at), /re-ran/, 'a save that changes nothing re-runs nothing');

  writeFileSync(join(dir, 'a.mls'), FAILING);
  at = await screen.waitFor(/re-ran 1 of 2 scenarios \(changed: a\.mls\)[\s\S]*all 2 scenarios: 1 passed, 1 failed/, at);
  t.match(screen.text, /- expected\s+8p \(32 kB\)/);

  writeFileSync(join(dir, 'c.mls'), PASSING('c'));
  at = await screen.waitFor(/re-ran 1 of 3 scenarios \(added: c\.mls\)[\s\S]*all 3 scenarios: 2 passed, 1 failed/, at);

  renameSync(join(dir, 'c.mls'), join(dir, 'd.mls'));
  at = await screen.waitFor(/re-ran 1 of 3 scenarios \(added: d\.mls; removed: c\.mls\)[\s\S]*all 3 scenarios: 2 passed, 1 failed/, at);

  rmSync(join(dir, 'd.mls'));
  at = await screen.waitFor(/removed: d\.mls\nall 2 scenarios: 1 passed, 1 failed/, at);

  writeFileSync(join(dir, 'b.mls'), 'scenario "b"\nbuf = mmap 16q rw private anon\n');
  at = await screen.waitFor(/re-ran 1 of 2 scenarios \(changed: b\.mls\)[\s\S]*b\.mls:2:14: error[\s\S]*watching for changes/, at);

  w.stdin.write('f');
  at = await screen.waitFor(/re-ran 2 of 2 scenarios \(failed only\)/, at);
  writeFileSync(join(dir, 'a.mls'), PASSING('a'));
  writeFileSync(join(dir, 'b.mls'), PASSING('b'));
  // Two saves land in one batch unless the machine is slow enough to split them past the debounce (seen at load 10).
  at = await screen.waitFor(/re-ran [12] of 2 scenarios \(changed: (a\.mls, )?b\.mls\)[\s\S]*all 2 scenarios: 2 passed, 0 failed/, at);

  w.stdin.write('t^a$\n');
  at = await screen.waitFor(/filter \/\^a\$\/\)[\s\S]*1 passed, 0 failed, 0 skipped/, at);

  w.stdin.write('q');
  const code = await new Promise<number | null>((r) => w.on('exit', (c) => r(c)));
  t.equal(code, 0, err);
});
