// The compiled-IR cache (runner/cache.ts): entries a thread compiles reach disk
// in one file per flush, the main thread folds them into pack.jsonl, and a later
// reader (another thread, the next run) gets them without recompiling.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PACK_MAX_BYTES, cacheKey, compileCached, flushCache, mergeCache, parseCacheFile, revalidateCache } from '../../runner/cache.js';

const entries = (path: string) => parseCacheFile(readFileSync(path, 'utf8'))!;

const text = (n: number) => `scenario "c${n}"\nbuf = mmap ${n}p rw private anon\nmlock buf\nexpect locked_vm == ${n}p\n`;

t.test('compiled entries are written in one file per flush and merged into the pack', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mls-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (let i = 1; i <= 5; i++) t.ok((await compileCached(text(i), `s${i}.mls`, 'v1', dir)).scenario, `s${i} compiles`);
  t.same(readdirSync(dir), [], 'nothing on disk before a flush');
  flushCache();
  const ir = readdirSync(join(dir, 'ir'));
  t.equal(ir.length, 1, 'one file for the five entries');
  t.equal(entries(join(dir, 'ir', ir[0]!)).size, 5);
  // A torn file left by a crashed writer is skipped, not fatal.
  const whole = readFileSync(join(dir, 'ir', ir[0]!), 'utf8');
  writeFileSync(join(dir, 'ir', 'torn.jsonl'), whole.slice(0, whole.length - 10));
  mergeCache(dir);
  t.same(readdirSync(join(dir, 'ir')), ['torn.jsonl'], 'merged files are removed, the torn one left alone');
  t.equal(entries(join(dir, 'pack.jsonl')).size, 5);
  // The same text under another compiler version is a different entry.
  await compileCached(text(1), 's1.mls', 'v2', dir);
  flushCache();
  mergeCache(dir);
  t.equal(entries(join(dir, 'pack.jsonl')).size, 6);
});

t.test('a pack merged by another thread is read again only at the next batch (one stat, not one per miss)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mls-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await compileCached(text(7), 'a.mls', 'v1', dir);
  mergeCache(dir);
  // Another thread merges a pack holding entries this one has not seen; markers show where a result came from.
  const marker = (m: string) => JSON.stringify({ messages: [{ id: m, severity: 'warning', text: m, notes: [] }] });
  const pack = readFileSync(join(dir, 'pack.jsonl'), 'utf8');
  const added = `${cacheKey('v1', 'b.mls', text(9))} ${marker('from-pack-9')}\n${cacheKey('v1', 'c.mls', text(10))} ${marker('from-pack-10')}\n`;
  writeFileSync(join(dir, 'pack.jsonl'), pack + added);
  utimesSync(join(dir, 'pack.jsonl'), new Date(), new Date(Date.now() + 5000));
  const stale = await compileCached(text(9), 'b.mls', 'v1', dir);
  t.ok(stale.scenario, 'same batch: not re-read, compiled');
  revalidateCache();
  const fresh = await compileCached(text(10), 'c.mls', 'v1', dir);
  t.equal(fresh.messages[0]?.id, 'from-pack-10', 'next batch: the merged pack is read');
  t.equal(fresh.scenario, undefined);
});

t.test('a pack of another format or cut short reads as empty; values are parsed only when used', async (t) => {
  const key = 'a'.repeat(64);
  t.equal(parseCacheFile(`{"format":1,"entries":{}}`), undefined, 'the format-1 pack.json layout is not this format');
  t.equal(parseCacheFile(`mls-ir-cache 2\n${key} {"messages":[]}`), undefined, 'no final newline: torn');
  const m = parseCacheFile(`mls-ir-cache 2\n${key} {"messages":[]}\nshort line\n`)!;
  t.same([...m], [[key, '{"messages":[]}']], 'malformed lines are skipped, values stay JSON text');
});

t.test('the pack is bounded in bytes: oldest entries go first (issue 14 finding 7: a 275 MB pack crashed every run)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mls-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'ir'));
  // 48 entries of 1 MiB each (a big scenario's IR): past the bound.
  const big = (i: number) => JSON.stringify({ messages: [{ id: `m${i}`, severity: 'warning', text: 'x'.repeat(2 ** 20), notes: [] }] });
  const keys = Array.from({ length: 48 }, (_, i) => cacheKey('v1', `big${i}.mls`, String(i)));
  writeFileSync(join(dir, 'ir', 'a.jsonl'), `mls-ir-cache 2\n${keys.map((k, i) => `${k} ${big(i)}`).join('\n')}\n`);
  mergeCache(dir);
  const size = statSync(join(dir, 'pack.jsonl')).size;
  t.ok(size <= PACK_MAX_BYTES, `pack ${size} bytes, bound ${PACK_MAX_BYTES}`);
  const kept = entries(join(dir, 'pack.jsonl'));
  t.ok(kept.has(keys[47]!) && !kept.has(keys[0]!), 'the newest entries stay');
  t.same(readdirSync(join(dir, 'ir')), [], 'merged');
});

t.test('an oversized or damaged pack is never fatal: it reads as missing and the next merge rebuilds it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mls-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A pack past twice the bound (an older mls wrote it) holding the very entry asked for.
  const key = cacheKey('v1', 'a.mls', text(3));
  const marker = JSON.stringify({ messages: [{ id: 'from-huge-pack', severity: 'warning', text: 'x', notes: [] }] });
  const filler = JSON.stringify({ messages: [{ id: 'f', severity: 'warning', text: 'y'.repeat(2 ** 20), notes: [] }] });
  const lines = [`${key} ${marker}`];
  for (let i = 0; i < 2 * PACK_MAX_BYTES / 2 ** 20 + 2; i++) lines.push(`${cacheKey('v1', `f${i}`, '')} ${filler}`);
  writeFileSync(join(dir, 'pack.jsonl'), `mls-ir-cache 2\n${lines.join('\n')}\n`);
  const r = await compileCached(text(3), 'a.mls', 'v1', dir);
  t.ok(r.scenario, 'not read: compiled');
  mergeCache(dir);
  t.ok(statSync(join(dir, 'pack.jsonl')).size < 2 ** 20, 'rebuilt from the new entries alone');
  // A pack whose entry is not JSON (a disk error, a hand edit): the file compiles again, no throw.
  const k2 = cacheKey('v1', 'b.mls', text(4));
  writeFileSync(join(dir, 'pack.jsonl'), `mls-ir-cache 2\n${k2} {"messages":[{"id\n`);
  utimesSync(join(dir, 'pack.jsonl'), new Date(), new Date(Date.now() + 10_000));
  revalidateCache();
  const r2 = await compileCached(text(4), 'b.mls', 'v1', dir);
  t.ok(r2.scenario, 'a damaged entry is compiled again');
});
