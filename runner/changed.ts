// `--changed [ref]`: the scenario files changed since a git ref (default HEAD:
// what is not committed yet, untracked files included), or all of them when
// the model or the grammar changed (every result may differ then; vitest's
// forceRerunTriggers).
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, stringOption } from './args.js';
import type { CommandContext } from './commands/types.js';

/** Directories of mls itself whose change can change any scenario's result. */
const RERUN_ALL = ['runtime', 'grammar'];

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as Error & { stderr?: string; code?: string };
    const why = err.code === 'ENOENT' ? 'git is not installed' : (err.stderr ?? err.message).trim().split('\n')[0];
    throw new UsageError(`--changed: git ${args.join(' ')} failed: ${why}`);
  }
}

/** Absolute paths changed since `ref` in the repository around `cwd` (committed since, staged, unstaged, untracked). */
export function changedPaths(ref: string, cwd: string): string[] {
  const top = git(['rev-parse', '--show-toplevel'], cwd).trim();
  const diff = git(['diff', '--name-only', '--no-renames', ref, '--'], top).split('\n');
  const untracked = git(['ls-files', '--others', '--exclude-standard'], top).split('\n');
  return [...diff, ...untracked].filter((p) => p !== '').map((p) => resolve(top, p));
}

/** The mls package root (holds schema/), from wherever this module runs (source, dist, bundle). */
export function toolRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'schema', 'results.schema.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The files to run: all when a changed path is in the model or grammar of `root`, else the changed ones. */
export function selectChanged<T extends { absPath: string }>(files: readonly T[], changed: readonly string[], root: string | undefined): { files: T[]; all: boolean } {
  const triggers = root ? RERUN_ALL.map((d) => join(root, d) + sep) : [];
  if (changed.some((p) => triggers.some((t) => p.startsWith(t)))) return { files: [...files], all: true };
  const set = new Set(changed);
  // git prints paths under the real top-level directory; the cwd may reach them through a symlink.
  const real = (p: string) => { try { return realpathSync(p); } catch { return p; } };
  return { files: files.filter((f) => set.has(f.absPath) || set.has(real(f.absPath))), all: false };
}

/** `--changed [ref]`: the discovered files git says changed (all of them when the model or grammar did). */
export function changedFiles<T extends { absPath: string }>(ctx: CommandContext, files: readonly T[]): T[] {
  const ref = stringOption(ctx.options, 'changed');
  if (ref === undefined) return [...files];
  const picked = selectChanged(files, changedPaths(ref, ctx.io.cwd), toolRoot());
  ctx.io.stderr.write(picked.all
    ? `mls: --changed ${ref}: the model or grammar changed; running all ${files.length} scenario files\n`
    : `mls: --changed ${ref}: ${picked.files.length} of ${files.length} scenario files changed\n`);
  return picked.files;
}
