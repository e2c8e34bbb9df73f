// The compiled-IR cache (runner/cache.ts): entries a thread compiles reach disk
// in one file per flush, the main thread folds them into pack.jsonl, and a later
// reader (another thread, the next run) gets them without recompiling.
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { cacheKey, compileCached, flushCache, mergeCache, parseCacheFile, revalidateCache } from '../../runner/cache.js';

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
