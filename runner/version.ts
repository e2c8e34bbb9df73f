// Versions and code hashes: the tool version for reports, and content hashes
// of the compiler and the model so caches invalidate when either changes.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'mls.js'))) return dir;
    dir = dirname(dir);
  }
  return dirname(dirname(fileURLToPath(import.meta.url)));
}

/** The package root (holding package.json), whether running from dist/ or from source. */
export const PACKAGE_ROOT = findRoot();

/**
 * The directory holding grammar/, runtime/, runner/ as this process runs them
 * (dist/ or the sources). This module sits one level below it either way:
 * runner/version.ts, dist/runner/version.js, or a chunk of dist/bundle/.
 */
export const CODE_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

export const TOOL_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

function collect(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) collect(p, out);
    else if (/\.(js|ts|ohm)$/.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.map')) out.push(p);
  }
}

/** sha256 over every code file under the given directories of CODE_ROOT (first 16 hex digits). */
export function codeHash(dirs: readonly string[]): string {
  const h = createHash('sha256');
  h.update(TOOL_VERSION);
  for (const d of dirs) {
    const files: string[] = [];
    collect(join(CODE_ROOT, d), files);
    for (const f of files) {
      h.update(f.slice(CODE_ROOT.length));
      h.update(readFileSync(f));
    }
  }
  return h.digest('hex').slice(0, 16);
}

let compilerHash: string | undefined;
/** Identifies the compiler build: part of every compile-cache key. */
export function compilerVersion(): string {
  compilerHash ??= codeHash(['grammar', 'schema']);
  return compilerHash;
}

let modelHash: string | undefined;
export function modelVersion(): string {
  modelHash ??= codeHash(['runtime']);
  return modelHash;
}

/** Forget memoized hashes (watch mode, after the code changed on disk). */
export function resetVersions(): void {
  compilerHash = undefined;
  modelHash = undefined;
}
