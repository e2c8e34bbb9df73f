// Compiled-IR cache on disk, keyed by sha256(compiler version, path, text):
// unchanged files are not re-parsed. Two layers, both in one line format
// (a header line, then one `<key> <IR JSON>` line per entry):
// - ir/*.jsonl: what one thread compiled since its last flush, written
//   atomically (temp + rename) by flushCache at the end of a worker's batch or
//   of an inline run (one file per entry cost a write, a rename and an unlink
//   per scenario: over a third of a cold run of 2,000 files);
// - pack.jsonl: every entry in one file, read once per thread, so a warm run
//   costs one read per thread instead of one file per scenario. After a run
//   the main thread folds the ir/ files into it (mergeCache).
// A reader indexes the lines (key → offset) and parses only the entries it
// uses: each worker runs part of the suite, and a JSON document of JSON
// strings (format 1) cost a full parse per thread plus an unescape per entry.
// Entries not flushed (a worker that crashed) only cost a recompile. The pack is
// bounded in bytes (PACK_MAX_BYTES) and never fatal: a pack or entry that cannot be
// read, or a pack past twice the bound, reads as missing and the next merge rewrites it.
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

/** First line of pack and ir files; another header (an older format) reads as empty. */
const HEADER = 'mls-ir-cache 2';
const PACK = 'pack.jsonl';
/** sha256 hex: every entry line is `<KEY_LEN chars> <json>`. */
const KEY_LEN = 64;
/** Entries kept in the pack (oldest merged first out): bounds what each thread reads. */
const PACK_MAX_ENTRIES = 20_000;
/**
 * Bytes kept in the pack, oldest first out (SPEC Running: the compile cache): what every
 * thread of every warm run reads. Entries are ~1-6 kB; a pack of mutated fuzz inputs grew
 * to 275 MB under the entry bound alone and every later run died at the heap limit.
 */
export const PACK_MAX_BYTES = 32 * 1024 * 1024;
/** An entry larger than this is not cached (recompiling it costs less than every thread reading it). */
export const ENTRY_MAX_BYTES = PACK_MAX_BYTES / 8;
/** A pack file larger than this (another writer, an older mls) is not read: it is rebuilt by the next merge. */
const PACK_READ_MAX = 2 * PACK_MAX_BYTES;

/**
 * A cache file's entries as (key → JSON text) without parsing any JSON: the
 * text is kept whole and each value is a slice of it, parsed when used.
 * JSON.stringify never emits a raw newline, so lines delimit entries.
 * undefined: another format, or a file cut short (no final newline).
 */
export function parseCacheFile(text: string): Map<string, string> | undefined {
  if (!text.startsWith(HEADER + '\n') || !text.endsWith('\n')) return undefined;
  const out = new Map<string, string>();
  for (let at = HEADER.length + 1, end; at < text.length; at = end + 1) {
    end = text.indexOf('\n', at);
    if (end - at > KEY_LEN + 1 && text.charCodeAt(at + KEY_LEN) === 32) out.set(text.slice(at, at + KEY_LEN), text.slice(at + KEY_LEN + 1, end));
  }
  return out;
}

function formatCacheFile(entries: Iterable<[string, string]>): string {
  const parts = [HEADER];
  for (const [k, v] of entries) parts.push(`${k} ${v}`);
  return parts.join('\n') + '\n';
}

/** undefined: missing, unreadable, torn, of another format or too large to be one we wrote. */
function readCacheFile(path: string, maxBytes = PACK_READ_MAX): Map<string, string> | undefined {
  try {
    if (statSync(path).size > maxBytes) return undefined;
    return parseCacheFile(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function tooLarge(path: string): boolean {
  try {
    return statSync(path).size > PACK_READ_MAX;
  } catch {
    return false;
  }
}

/** Bytes an entry takes in a cache file (key, space, JSON, newline). */
const entryBytes = (json: string): number => KEY_LEN + 2 + Buffer.byteLength(json);

/** Write whole-or-nothing: a temp file renamed into place. */
function writeAtomic(dir: string, name: string, content: string): void {
  const tmp = join(dir, `${name}.${process.pid}.${threadId}.${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(tmp, content);
  renameSync(tmp, join(dir, name));
}

const madeDirs = new Set<string>();

/** Entries this thread compiled and has not flushed yet, per cache dir (key → IR JSON text). */
const unflushed = new Map<string, Map<string, string>>();
/** Bytes of each dir's unflushed entries: kept within PACK_MAX_BYTES (the merge would drop the oldest anyway). */
const unflushedBytes = new Map<string, number>();

function writeEntry(dir: string, key: string, value: Compiled): void {
  let m = unflushed.get(dir);
  if (!m) unflushed.set(dir, (m = new Map()));
  const json = JSON.stringify(value);
  if (entryBytes(json) > ENTRY_MAX_BYTES) return;
  let bytes = (unflushedBytes.get(dir) ?? 0) + entryBytes(json);
  const old = m.get(key);
  if (old !== undefined) { bytes -= entryBytes(old); m.delete(key); }
  m.set(key, json);
  for (const [k, v] of m) {
    if (bytes <= PACK_MAX_BYTES) break;
    m.delete(k);
    bytes -= entryBytes(v);
  }
  unflushedBytes.set(dir, bytes);
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
      writeAtomic(irDir, `${process.pid}.${threadId}.${Math.random().toString(36).slice(2)}.jsonl`, formatCacheFile(entries));
    } catch {
      // A read-only or full disk only costs speed.
    }
    // Still usable by this thread until the next merge: keep them in its view of the pack.
    const p = packs.get(dir);
    if (p) for (const [k, v] of entries) p.entries.set(k, v);
    entries.clear();
    unflushedBytes.set(dir, 0);
  }
}

interface LoadedPack {
  entries: Map<string, string>;
  /** The pack's mtime when loaded (-1: none): a long-lived thread (watch) reloads it when it changes. */
  mtimeMs: number;
  /** Whether the pack was looked at since the last revalidateCache(): at most one stat per batch. */
  fresh: boolean;
}

/** The pack of each cache dir, as this thread loaded it. */
const packs = new Map<string, LoadedPack>();

function packMtime(dir: string): number {
  try {
    return statSync(join(dir, PACK)).mtimeMs;
  } catch {
    return -1;
  }
}

function loadPack(dir: string): LoadedPack {
  const mtimeMs = packMtime(dir);
  const p = { entries: (mtimeMs < 0 ? undefined : readCacheFile(join(dir, PACK))) ?? new Map<string, string>(), mtimeMs, fresh: true };
  packs.set(dir, p);
  return p;
}

/**
 * Load a cache dir's pack now (a worker that boots while the main thread
 * discovers files). Returns whether one existed: without it the run is cold and
 * the compiler will be needed.
 */
export function preloadCache(dir: string): boolean {
  return (packs.get(dir) ?? loadPack(dir)).mtimeMs >= 0;
}

/** A new batch or run starts: the next miss may look whether the pack was merged meanwhile (watch mode). */
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
 * Fold the ir/ entries into the pack (atomically) and delete them. Called by
 * the main thread after a run; a concurrent run at worst loses entries, which
 * only costs a recompile. Never throws.
 */
export function mergeCache(dir: string): void {
  flushCache(); // this thread's own (inline runs)
  let names: string[];
  try {
    names = readdirSync(join(dir, 'ir')).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return;
  }
  if (names.length === 0) return;
  try {
    const pack = readCacheFile(join(dir, PACK)) ?? new Map<string, string>();
    const merged: string[] = [];
    for (const n of names) {
      const path = join(dir, 'ir', n);
      const batch = readCacheFile(path);
      if (!batch) {
        // Past the read bound (an older mls wrote it): never readable, so it goes (a torn one is left as before).
        if (tooLarge(path)) merged.push(n);
        continue;
      }
      for (const [key, e] of batch) {
        pack.delete(key); // re-inserted last: the newest entries survive trimming
        pack.set(key, e);
      }
      merged.push(n);
    }
    // Oldest first out, until both bounds hold.
    let drop = pack.size - PACK_MAX_ENTRIES;
    let bytes = 0;
    for (const v of pack.values()) bytes += entryBytes(v);
    for (const [k, v] of pack) {
      if (drop <= 0 && bytes <= PACK_MAX_BYTES) break;
      pack.delete(k);
      drop--;
      bytes -= entryBytes(v);
    }
    writeAtomic(dir, PACK, formatCacheFile(pack));
    packs.set(dir, { entries: pack, mtimeMs: packMtime(dir), fresh: true });
    try {
      unlinkSync(join(dir, 'pack.json')); // format 1, superseded by PACK
    } catch {
      // none
    }
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
    if (json !== undefined) {
      try {
        return JSON.parse(json) as Compiled;
      } catch {
        // A damaged entry: compiled again below, and the new entry replaces it at the next merge.
      }
    }
  }
  const compiler = await loadCompiler();
  const out = compiler.compileSource(text, file);
  const value: Compiled = { messages: out.messages, ...(out.scenario ? { scenario: out.scenario } : {}) };
  if (cacheDir !== undefined) writeEntry(cacheDir, key, value);
  return value;
}
