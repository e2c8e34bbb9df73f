// bin/mls.js picks the bundle unless tsc wrote dist/runner after it (a stale bundle),
// and says how to build when neither exists. Run on a copy of bin/ beside stand-in CLIs.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/mls.js', import.meta.url);

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'mls-entry-'));
  mkdirSync(join(root, 'bin'));
  copyFileSync(BIN, join(root, 'bin', 'mls.js'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  return root;
}

function standIn(root: string, dir: string, at: number): void {
  mkdirSync(join(root, 'dist', dir), { recursive: true });
  const file = join(root, 'dist', dir, 'cli.js');
  writeFileSync(file, `export async function main(argv) { process.stdout.write('${dir} ' + argv.join(' ')); return 0; }\n`);
  utimesSync(file, at, at);
}

const run = (root: string) => spawnSync(process.execPath, [join(root, 'bin', 'mls.js'), 'run', 'x'], { encoding: 'utf8' });

t.test('the bundle when it is at least as new as dist/runner', async (t) => {
  const root = tree();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  standIn(root, 'runner', 1_000_000);
  standIn(root, 'bundle', 1_000_100);
  const r = run(root);
  t.equal(r.status, 0);
  t.equal(r.stdout, 'bundle run x', 'arguments reach the bundled main()');
});

t.test('dist/runner when tsc rewrote it after the bundle was made', async (t) => {
  const root = tree();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  standIn(root, 'bundle', 1_000_000);
  standIn(root, 'runner', 1_000_100);
  t.equal(run(root).stdout, 'runner run x');
});

t.test('dist/runner alone (a build without esbuild)', async (t) => {
  const root = tree();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  standIn(root, 'runner', 1_000_000);
  t.equal(run(root).stdout, 'runner run x');
});

t.test('nothing built: exit 2 and what to run', async (t) => {
  const root = tree();
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const r = run(root);
  t.equal(r.status, 2);
  t.match(r.stderr, /not built yet .*npm install/);
  t.notMatch(r.stderr, /at .*\(/, 'no stack trace');
});
