// Real processes on real files: spawn `node bin/mls.js` (the built CLI) on
// fixture suites written to a temp directory.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from '../support/scratch.js';
import type { CommandIO } from '../../runner/commands/types.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'mls.js');

if (!existsSync(join(ROOT, 'dist', 'runner', 'cli.js'))) {
  throw new Error('test/runner needs the built CLI: run `npm run build` first');
}

/** Env for child runs: no colour, no CI detection leaking in from the outer test run. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env['FORCE_COLOR'];
  delete env['CI'];
  delete env['TAP'];
  delete env['MLS_TEST_WORKER_FAULT'];
  for (const k of Object.keys(extra)) env[k] = extra[k];
  return env;
}

/** Fixture files in a temp dir, removed when the test process exits. */
export function suite(files: Record<string, string>): string {
  const dir = scratchDir('mls-suite-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export function mls(args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd, env: cleanEnv(opts.env), encoding: 'utf8', input: opts.input ?? '', timeout: 60_000,
  });
}

export function mlsAsync(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  return spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Scenarios whose expected values come from the kernel (reference §11 case 1, observed on 6.18). */
export const PASSING = (name: string) => `scenario "${name}"
p = mmap 8p rw private anon
mlock p + 100 1B
expect locked_vm == 1p, p resident == 1p
munlock p 8p
expect locked_vm == 0
`;

export const FAILING = `scenario "wrong expectation"
buf = mmap 16p rw private anon
mlock buf 4p
expect locked_vm == 8p
`;

export const BROKEN = `scenario "does not parse"
buf = mmap 16q rw private anon
`;

/** In-memory streams for main() in-process (CommandIO): what it wrote, read back as text. */
export function memoryIO(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out = new PassThrough(), err = new PassThrough();
  let stdout = '', stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const value: CommandIO = { stdout: out, stderr: err, stdin: new PassThrough(), env: { NO_COLOR: '1', ...env }, cwd };
  return { value, get stdout() { return stdout; }, get stderr() { return stderr; } };
}
