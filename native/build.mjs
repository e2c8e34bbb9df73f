#!/usr/bin/env node
// Build the host executor native/build/mls-exec with the system C compiler.
// Static when libc.a is there (the worker's image is then tiny and identical on
// every run), dynamic otherwise. Exits non-zero with a clear message on failure;
// the host target then reports itself unavailable and model runs keep working.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build', 'mls-exec');
const sources = readdirSync(join(here, 'src')).filter((f) => f.endsWith('.c')).map((f) => join(here, 'src', f));
const flags = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-fno-strict-aliasing', '-o', out, ...sources];

if (process.platform !== 'linux') {
  process.stderr.write(`native: the host executor needs Linux (this is ${process.platform})\n`);
  process.exit(1);
}
mkdirSync(join(here, 'build'), { recursive: true });
const cc = ['cc', 'gcc'].find((c) => {
  try { execFileSync(c, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
});
if (!cc) {
  process.stderr.write('native: no C compiler (cc or gcc) found; install one to use the host target\n');
  process.exit(1);
}
const attempts = [['-static', ...flags], flags];
for (const args of attempts) {
  try {
    execFileSync(cc, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    process.stderr.write(`native: built ${out} (${args[0] === '-static' ? 'static' : 'dynamic'})\n`);
    process.exit(0);
  } catch (err) {
    if (args === flags) {
      process.stderr.write(`native: ${cc} failed to build the host executor:\n${err.stderr?.toString() ?? err.message}\n`);
      process.exit(1);
    }
  }
}
