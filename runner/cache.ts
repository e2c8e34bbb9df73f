// Compiled-IR cache on disk, keyed by sha256(compiler version, path, text):
// unchanged files are not re-parsed. Entries are written atomically (temp +
// rename) because several workers may compile the same file at once.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Message, Scenario } from '../schema/generated/types.js';
import { loadCompiler } from './tools.js';

export interface Compiled {
  scenario?: Scenario;
  messages: Message[];
}

export function cacheKey(compilerVersion: string, file: string, text: string): string {
  return createHash('sha256').update(compilerVersion).update('\0').update(file).update('\0').update(text).digest('hex');
}

function entryPath(dir: string, key: string): string {
  return join(dir, 'ir', `${key}.json`);
}

function readEntry(dir: string, key: string): Compiled | undefined {
  try {
    return JSON.parse(readFileSync(entryPath(dir, key), 'utf8')) as Compiled;
  } catch {
    return undefined; // missing or torn: recompile
  }
}

const madeDirs = new Set<string>();

function writeEntry(dir: string, key: string, value: Compiled): void {
  try {
    const irDir = join(dir, 'ir');
    if (!madeDirs.has(irDir)) {
      mkdirSync(irDir, { recursive: true });
      madeDirs.add(irDir);
    }
    const tmp = `${entryPath(dir, key)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(value));
    renameSync(tmp, entryPath(dir, key));
  } catch {
    // A read-only or full disk only costs speed.
  }
}

/** Compile through the cache (cacheDir undefined: no cache). */
export async function compileCached(text: string, file: string, compilerVersion: string, cacheDir: string | undefined): Promise<Compiled> {
  const key = cacheDir !== undefined ? cacheKey(compilerVersion, file, text) : '';
  if (cacheDir !== undefined) {
    const hit = readEntry(cacheDir, key);
    if (hit) return hit;
  }
  const compiler = await loadCompiler();
  const out = compiler.compileSource(text, file);
  const value: Compiled = { messages: out.messages, ...(out.scenario ? { scenario: out.scenario } : {}) };
  if (cacheDir !== undefined) writeEntry(cacheDir, key, value);
  return value;
}
