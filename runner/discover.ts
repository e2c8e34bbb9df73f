// Paths, directories and globs → the sorted list of .mls files to run, and a
// deterministic shard of it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';

export interface ScenarioFile {
  /** As shown in reports: relative to cwd (posix separators) when inside it. */
  file: string;
  absPath: string;
}

export interface Discovery {
  files: ScenarioFile[];
  /** Arguments that matched nothing (missing paths, empty globs). */
  unmatched: string[];
  /** The unmatched arguments that name no file or directory at all (not a glob): a typo, not an empty place. */
  missing: string[];
}

/** Directories never searched: VCS, dependencies, caches, editor state. */
export const IGNORED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '.mls-cache', 'dist', '.idea', '.vscode', 'coverage', '.tap']);

export function walk(dir: string, out: string[] = []): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isDirectory()) {
      if (!IGNORED_DIRS.has(e.name) && !e.name.startsWith('.')) walk(join(dir, e.name), out);
    } else if (e.isFile() && e.name.endsWith('.mls')) {
      out.push(join(dir, e.name));
    }
  }
  return out;
}

export function displayPath(abs: string, cwd: string): string {
  // The common case, a file under cwd, without path.relative (a run shows thousands of paths).
  const base = cwd.endsWith(sep) ? cwd : cwd + sep;
  if (abs.startsWith(base) && !abs.includes(`${sep}.`) && !abs.includes(sep + sep)) return sep === '/' ? abs.slice(base.length) : abs.slice(base.length).split(sep).join('/');
  const rel = relative(cwd, abs);
  const shown = rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
  return shown.split(sep).join('/');
}

export function discover(args: readonly string[], cwd: string): Discovery {
  const found = new Set<string>();
  const unmatched: string[] = [];
  const missing: string[] = [];
  const targets = args.length > 0 ? args : [existsSync(join(cwd, 'scenarios')) ? 'scenarios' : '.'];
  for (const arg of targets) {
    const abs = resolve(cwd, arg);
    let before = found.size;
    if (existsSync(abs)) {
      if (statSync(abs).isDirectory()) for (const f of walk(abs)) found.add(f);
      else found.add(abs);
    } else if (isDynamicPattern(arg)) {
      const hits = globSync(arg, { cwd, absolute: true, ignore: [...IGNORED_DIRS].map((d) => `**/${d}/**`) });
      for (const f of hits) if (f.endsWith('.mls')) found.add(resolve(f));
    } else missing.push(arg);
    if (found.size === before) unmatched.push(arg);
    before = found.size;
  }
  const files = [...found].sort().map((absPath) => ({ absPath, file: displayPath(absPath, cwd) }));
  return { files, unmatched, missing };
}

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(s: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : undefined;
}

/** Round-robin over the sorted list: shards differ by at most one file and together cover all. */
export function applyShard<T extends { file: string }>(files: readonly T[], shard: Shard): T[] {
  const sorted = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}
