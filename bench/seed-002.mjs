#!/usr/bin/env node
// Seed 002 (/work/shared/seeds/002_a5cabd07a0358886.txt, Eric B Munson's
// lock-on-fault series, v4.4): lines 49-56 — "mmaps a 5 GB file filled with random
// data and then makes 15,000,000 accesses to random addresses in that mapping",
// setup = mmap plus optional mlock of the whole region — and lines 58-81, the
// results per strategy (mlock whole: setup 8228.666 ms, processing 8274.257 ms;
// mlock before each access: 0.113 / 90993.552 ms; mlock2 ONFAULT: 0.189 /
// 17904.899 ms; averages of 20 runs on 4.2-rc1 hardware of 2015).
//
// Model, at full scale: a 5 GiB cached file mapped PROT_READ, MAP_PRIVATE (the
// letter names no protection or sharing; a read-only private mapping of a data
// file is the common case), 15,000,000 reads of pages drawn by the SPEC.md §3.7
// generator (seed 2), for each strategy: faults (Task.minFlt: successful
// handle_mm_fault calls, GUP's included, mm/memory.c:mm_account_fault),
// resident pages (VmRSS), locked pages (VmLck = locked_vm, and smaps_rollup
// Locked), failed mlock calls, CPU ms of setup and of processing.
// Host, at a size this machine allows (MLS_SEED002_HOST_BYTES, default 1 GiB, a
// file in /var/tmp removed at once; accesses scaled by size): the same three
// strategies with bench/tools/seed-002-host.c, setup and processing time, faults.
// MLS_SEED002_ACCESSES overrides the 15,000,000 model accesses (a quick look).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './lib.mjs';

const rt = await import(new URL('../dist/runtime/index.js', import.meta.url).href).catch(() => {
  process.stderr.write('bench/seed-002: dist/ is missing: run `npm run build` first\n');
  process.exit(2);
});
const { System, MemObject, loadEmpty, sysMmap, sysMlock, sysMlock2, readByteAt, randomPageNumbers, status, rollupLocked,
  MAP_PRIVATE, PROT_READ, MLOCK_ONFAULT } = rt;

const SIZE = 5n << 30n;
const ACCESSES = Number(process.env.MLS_SEED002_ACCESSES ?? 15_000_000);
const HOST_BYTES = BigInt(process.env.MLS_SEED002_HOST_BYTES ?? 1n << 30n);
const SEED = 2n;
const cpuMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const STRATEGIES = { whole: 'mlock whole range', onfault: 'mlock2 ONFAULT whole range', each: 'mlock before each access' };

function model(strategy) {
  const sys = new System();
  const t = sys.newTask('seed-002');
  loadEmpty(t);
  const pages = Number(SIZE / 4096n);
  const f = new MemObject('file', '/var/tmp/seed-002.bin');
  f.sizeBytes = SIZE;
  f.cache.add(0, pages); // written just before: all in the page cache
  sys.files.set('seed-002.bin', f);
  const c0 = cpuMs(), f0 = t.minFlt;
  const m = sysMmap(t, { addr: 0n, len: SIZE, prot: PROT_READ, flags: MAP_PRIVATE, file: f, offset: 0n });
  if (!m.ok) throw new Error(`mmap: ${JSON.stringify(m)}`);
  let failed = 0;
  if (strategy === 'whole' && !sysMlock(t, m.value, SIZE).ok) failed++;
  if (strategy === 'onfault' && !sysMlock2(t, m.value, SIZE, BigInt(MLOCK_ONFAULT)).ok) failed++;
  const c1 = cpuMs(), f1 = t.minFlt;
  const vbase = Number(m.value / 4096n);
  for (const pg of randomPageNumbers(SIZE / 4096n, ACCESSES, SEED)) {
    if (strategy === 'each' && !sysMlock(t, BigInt(vbase + pg) * 4096n, 4096n).ok) failed++;
    const r = readByteAt(t, vbase + pg, 0);
    if ('signal' in r) throw new Error(`read of page ${pg}: ${r.signal}`);
  }
  const c2 = cpuMs(), st = status(t);
  return {
    setupMs: c1 - c0, procMs: c2 - c1, setupFaults: f1 - f0, procFaults: t.minFlt - f1, failed,
    rss: st.VmRSS / 4096, lck: st.VmLck / 4096, smapsLocked: rollupLocked(t) / 4096, vmas: t.mm.mapCount,
  };
}

function host() {
  const dir = mkdtempSync(join(tmpdir(), 'mls-seed-002-'));
  try {
    const bin = join(dir, 'seed-002-host');
    execFileSync('gcc', ['-O2', '-o', bin, fileURLToPath(new URL('tools/seed-002-host.c', import.meta.url))]);
    const accesses = Math.round(15_000_000 * Number(HOST_BYTES) / Number(SIZE));
    const out = execFileSync(bin, [join('/var/tmp', `mls-seed-002-${process.pid}.bin`), String(HOST_BYTES), String(accesses)], { encoding: 'utf8' });
    return out.trim().split('\n').map((l) => JSON.parse(l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = {};
for (const s of Object.keys(STRATEGIES)) {
  const r = model(s);
  rows[s] = r;
  process.stderr.write(`model ${s}: ${JSON.stringify(r)}\n`);
  const name = `model 5 GiB, ${ACCESSES.toLocaleString('en-US')} reads, ${STRATEGIES[s]}`;
  report(`${name}: setup CPU`, r.setupMs, 'ms', '', undefined);
  report(`${name}: processing CPU`, r.procMs, 'ms', '', undefined);
  report(`${name}: faults in setup`, r.setupFaults, 'faults', '', undefined);
  report(`${name}: faults in processing`, r.procFaults, 'faults', '', undefined);
  report(`${name}: resident pages`, r.rss, 'pages', '', undefined);
  report(`${name}: locked pages (VmLck)`, r.lck, 'pages', '', undefined);
  report(`${name}: locked pages (smaps_rollup Locked)`, r.smapsLocked, 'pages', '', undefined);
  if (s === 'each') report(`${name}: mlock calls failing (ENOMEM at vm.max_map_count)`, r.failed, 'calls', '', undefined);
}

let hostRows = [];
try { hostRows = host(); } catch (e) { process.stderr.write(`bench/seed-002: host part skipped: ${e.message}\n`); }
for (const h of hostRows) {
  process.stderr.write(`host ${h.strategy}: ${JSON.stringify(h)}\n`);
  const name = `host ${Number(HOST_BYTES) / 2 ** 30} GiB, ${h.accesses.toLocaleString('en-US')} reads, ${STRATEGIES[h.strategy]}`;
  report(`${name}: setup wall`, h.setupWallMs, 'ms', '', undefined);
  report(`${name}: processing wall`, h.procWallMs, 'ms', '', undefined);
  report(`${name}: faults in setup (ru_minflt)`, h.setupFaults, 'faults', '', undefined);
  report(`${name}: faults in processing (ru_minflt)`, h.procFaults, 'faults', '', undefined);
  if (h.strategy === 'each') report(`${name}: mlock calls failing`, h.failedMlock, 'calls', '', undefined);
}
const whole = hostRows.find((h) => h.strategy === 'whole'), onfault = hostRows.find((h) => h.strategy === 'onfault');
if (whole && onfault) report(`host ${Number(HOST_BYTES) / 2 ** 30} GiB setup, mlock whole / mlock2 ONFAULT`, whole.setupWallMs / Math.max(onfault.setupWallMs, 1e-3), 'x', '', undefined);
