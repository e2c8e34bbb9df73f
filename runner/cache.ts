// Compiled-IR cache on disk, keyed by sha256(compiler version, path, text):
// unchanged files are not re-parsed. Two layers:
// - ir/*.json: what one thread compiled since its last flush, many entries a
//   file ({format, entries}), written atomically (temp + rename) by flushCache
//   at the end of a worker's batch or of an inline run. One file per entry cost
//   a write, a rename and later an unlink per scenario: on a cold run of 2,000
//   files that was over a third of the time;
// - pack.json: every entry in one file, read once per thread, so a warm run
//   costs one read and one JSON.parse instead of one file per scenario. After a
//   run the main thread folds the ir/ files into it (mergeCache).
// Entries not flushed (a worker that crashed) only cost a recompile.
import { hash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Message, Scenario } from '../schema/generated/types.js';
import { loadCompiler } from './tools.js';

export interface Compiled {
  scenario?: Scenario;
  messages: Message[];
}

export function cacheKey(compilerVersion: string, file: string, text: string): string {
  // One-shot hash: a Hash object per file costs more than hashing a small file.
  return hash('sha256', `${compilerVersion}\0${file}\0${text}`, 'hex');
}

const madeDirs = new Set<string>();

/** Entries this thread compiled and has not flushed yet, per cache dir (key → IR JSON text). */
const unflushed = new Map<string, Map<string, string>>();

function writeEntry(dir: string, key: string, value: Compiled): void {
  let m = unflushed.get(dir);
  if (!m) unflushed.set(dir, (m = new Map()));
  m.set(key, JSON.stringify(value));
}

/** Write this thread's new entries, one ir/ file per cache dir. Never throws. */
export function flushCache(): void {
  for (const [dir, entries] of unflushed) {
    if (entries.size === 0) continue;
    try {
      const irDir = join(dir, 'ir');
      if (!madeDirs.has(irDir)) {
        mkdirSync(irDir, { recursive: true });
        madeDirs.add(irDir);
      }
      const name = `${process.pid}.${threadId}.${Math.random().toString(36).slice(2)}`;
      const tmp = join(irDir, `${name}.tmp`);
      writeFileSync(tmp, JSON.stringify({ format: PACK_FORMAT, entries: Object.fromEntries(entries) } satisfies PackFile));
      renameSync(tmp, join(irDir, `${name}.json`));
    } catch {
      // A read-only or full disk only costs speed.
    }
    // Still usable by this thread until the next merge: keep them in its view of the pack.
    const p = packs.get(dir);
    if (p) for (const [k, v] of entries) p.entries.set(k, v);
    entries.clear();
  }
}

/** Entries kept in pack.json (oldest merged first out): bounds what each run parses. */
const PACK_MAX_ENTRIES = 20_000;
const PACK_FORMAT = 1;

/** Entries are kept as JSON text: parsed only when used, into fresh objects for each caller. */
interface PackFile {
  format: number;
  entries: Record<string, string>;
}

interface LoadedPack {
  entries: Map<string, string>;
  /** pack.json's mtime when loaded (-1: none): a long-lived thread (watch) reloads it when it changes. */
  mtimeMs: number;
  /** Whether pack.json was looked at since the last revalidateCache(): at most one stat per batch. */
  fresh: boolean;
}

/** pack.json of each cache dir, as this thread loaded it. */
const packs = new Map<string, LoadedPack>();

function packMtime(dir: string): number {
  try {
    return statSync(join(dir, 'pack.json')).mtimeMs;
  } catch {
    return -1;
  }
}

function readPack(dir: string): Map<string, string> {
  try {
    const p = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as PackFile;
    if (p.format === PACK_FORMAT && typeof p.entries === 'object' && p.entries !== null) return new Map(Object.entries(p.entries));
  } catch {
    // missing or torn: start empty
  }
  return new Map();
}

function loadPack(dir: string): LoadedPack {
  const mtimeMs = packMtime(dir);
  const p = { entries: mtimeMs < 0 ? new Map<string, string>() : readPack(dir), mtimeMs, fresh: true };
  packs.set(dir, p);
  return p;
}

/** A new batch or run starts: the next miss may look whether pack.json was merged meanwhile (watch mode). */
export function revalidateCache(): void {
  for (const p of packs.values()) p.fresh = false;
}

function packed(dir: string, key: string): string | undefined {
  const p = packs.get(dir) ?? loadPack(dir);
  const hit = p.entries.get(key);
  if (hit !== undefined || p.fresh) return hit;
  p.fresh = true;
  // Merged since this thread loaded it (watch mode, after the first pass)?
  return packMtime(dir) !== p.mtimeMs ? loadPack(dir).entries.get(key) : undefined;
}

/**
 * Fold the ir/ entries into pack.json (atomically) and delete them. Called by
 * the main thread after a run; a concurrent run at worst loses entries, which
 * only costs a recompile. Never throws.
 */
export function mergeCache(dir: string): void {
  flushCache(); // this thread's own (inline runs)
  let names: string[];
  try {
    names = readdirSync(join(dir, 'ir')).filter((n) => n.endsWith('.json'));
  } catch {
    return;
  }
  if (names.length === 0) return;
  try {
    const pack = readPack(dir);
    const merged: string[] = [];
    for (const n of names) {
      let batch: PackFile;
      try {
        batch = JSON.parse(readFileSync(join(dir, 'ir', n), 'utf8')) as PackFile;
      } catch {
        continue; // torn: skip
      }
      if (batch.format === PACK_FORMAT && typeof batch.entries === 'object' && batch.entries !== null) {
        for (const [key, e] of Object.entries(batch.entries)) {
          pack.delete(key);
          pack.set(key, e);
        }
      }
      merged.push(n);
    }
    let drop = pack.size - PACK_MAX_ENTRIES;
    for (const k of pack.keys()) {
      if (drop-- <= 0) break;
      pack.delete(k);
    }
    const tmp = join(dir, `pack.json.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    writeFileSync(tmp, JSON.stringify({ format: PACK_FORMAT, entries: Object.fromEntries(pack) } satisfies PackFile));
    renameSync(tmp, join(dir, 'pack.json'));
    packs.set(dir, { entries: pack, mtimeMs: packMtime(dir), fresh: true });
    for (const n of merged) {
      try {
        unlinkSync(join(dir, 'ir', n));
      } catch {
        // already gone (another run merged it)
      }
    }
  } catch {
    // A read-only or full disk only costs speed.
  }
}

/** Compile through the cache (cacheDir undefined: no cache). */
export async function compileCached(text: string, file: string, compilerVersion: string, cacheDir: string | undefined): Promise<Compiled> {
  const key = cacheDir !== undefined ? cacheKey(compilerVersion, file, text) : '';
  if (cacheDir !== undefined) {
    const json = packed(cacheDir, key);
    if (json !== undefined) return JSON.parse(json) as Compiled;
  }
  const compiler = await loadCompiler();
  const out = compiler.compileSource(text, file);
  const value: Compiled = { messages: out.messages, ...(out.scenario ? { scenario: out.scenario } : {}) };
  if (cacheDir !== undefined) writeEntry(cacheDir, key, value);
  return value;
}
