// `mls fuzz` end to end against the real model and the real kernel (host
// target). The model is still being fixed, so divergences are allowed: the test
// asserts that the run completes, reports throughput and a summary, and that
// every regression it writes compiles and carries the kernel's values.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { main } from '../../runner/cli.js';
import type { CommandIO } from '../../runner/commands/types.js';
import { hostTarget } from '../../runner/targets/host.js';

function io(cwd: string) {
  const out = new PassThrough(), err = new PassThrough();
  let stdout = '', stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const value: CommandIO = { stdout: out, stderr: err, stdin: new PassThrough(), env: { NO_COLOR: '1' }, cwd };
  return { value, get stdout() { return stdout; }, get stderr() { return stderr; } };
}

t.test('usage errors exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mls-fuzz-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const args of [['--seed', 'x'], ['--time', '0'], ['--count', '0'], ['--filter', 'a']]) {
    const a = io(dir);
    t.equal(await main(['fuzz', ...args], a.value), 2, args.join(' '));
    t.match(a.stderr, /mls(: | fuzz: )/);
  }
});

t.test('mls fuzz --count 30 --seed 1 runs on model and host and reports', async (t) => {
  const avail = await hostTarget.available();
  if (!avail.ok) { t.skip(`host target unavailable: ${avail.reason}`); return; }
  const dir = mkdtempSync(join(tmpdir(), 'mls-fuzz-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = io(dir);
  const code = await main(['fuzz', '--count', '30', '--seed', '1', '--out', 'found', '-j', '4'], a.value);
  t.ok(code === 0 || code === 1, `exit 0 or 1 (got ${code}; stderr: ${a.stderr})`);
  const m = /fuzz: seed 1: 30 scenarios in [\d.]+ s \(([\d.]+) scenarios\/s\), (\d+) divergent, (\d+) unique divergence signatures?/.exec(a.stdout);
  t.ok(m, `summary line present:\n${a.stdout}`);
  const unique = Number(m?.[3] ?? -1);
  t.equal(code, unique > 0 ? 1 : 0, 'exit 1 exactly when something diverged');
  t.equal((a.stdout.match(/^divergence: /gm) ?? []).length, unique, 'one report per signature');
  let files: string[] = [];
  try { files = readdirSync(join(dir, 'found')); } catch { /* nothing written */ }
  for (const f of files) {
    const text = readFileSync(join(dir, 'found', f), 'utf8');
    t.ok(compileSource(text, f).scenario, `${f} compiles`);
    t.match(text, /expectations observed on linux /, `${f} says where its values come from`);
  }
});
