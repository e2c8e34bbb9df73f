// Safety: a hung scenario is killed on timeout with nothing left behind, and
// the lock cap refuses scenarios that could lock or populate too much.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { createHostTarget } from '../../runner/targets/host.js';
import { runOnHost } from '../../runner/targets/host/run.js';
import { executablePath } from '../../runner/targets/host.js';
import { checkLockCap } from '../../runner/targets/host/lock-cap.js';
import * as ir from './ir.js';

const P = ir.P;
const MiB = 1024 * 1024;

/** Live (non-zombie) processes whose process group or pid is one of `ids`. */
function survivors(ids: number[]): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state ppid pgrp …
    if (f[0] !== 'Z' && (ids.includes(Number(f[2])) || ids.includes(Number(d)))) out.push(`${d} ${stat.slice(0, 60)}`);
  }
  return out;
}

t.test('a hung scenario times out, is killed, and cleaned up', async (t) => {
  let info: { tmpDir: string; supervisorPid: number; workerGroup: number } | undefined;
  const s = ir.scenario([
    ir.mmap('p', 16 * P),
    ir.fork('kid'),
    ir.expectSnap('kid'),
    // ~2^40 page touches: hours of work; the 1 s budget must cut it short.
    { ...ir.random(ir.at('p'), ir.whole('p'), 2 ** 40, 'kid') } as never,
    ir.expectSnap('main'),
  ]);
  const t0 = Date.now();
  const log = await runOnHost(s, {
    kernel: 'host', trace: false, timeoutMs: 1000, executable: executablePath(), onStart: (i) => { info = i; },
  });
  const took = Date.now() - t0;
  t.equal(log.outcome, 'timeout');
  t.match(log.message, /timed out after 1000 ms at test\.mls:\d+:1 \(access\)/);
  t.equal(log.steps.length, 3, 'steps observed before the hang are kept');
  t.ok(took < 5000, `returned in ${took} ms`);
  t.ok(info, 'started');
  t.notOk(existsSync(info!.tmpDir), 'temp dir removed');
  t.same(survivors([info!.workerGroup, info!.supervisorPid]), [], 'no process of the run survives');
});

t.test('normal runs leave nothing behind either', async (t) => {
  let info: { tmpDir: string; supervisorPid: number; workerGroup: number } | undefined;
  const log = await runOnHost(ir.scenario([ir.file('f', P), ir.fork('a'), ir.fork('b', 'a'), ir.noarg('exec', 'b')]), {
    kernel: 'host', trace: false, timeoutMs: 5000, executable: executablePath(), onStart: (i) => { info = i; },
  });
  t.equal(log.outcome, 'completed');
  t.notOk(existsSync(info!.tmpDir));
  t.same(survivors([info!.workerGroup, info!.supervisorPid]), []);
});

t.test('lock cap: refused before anything runs, naming the line', async (t) => {
  const big = ir.scenario([ir.mmap('big', 2 ** 40, { flags: ['noreserve'] }), ir.mlockall(1)]);
  const log = await createHostTarget().run(big, { kernel: 'host', trace: false, timeoutMs: 5000 });
  t.equal(log.outcome, 'error');
  t.equal(log.steps.length, 0);
  t.match(log.message, /^host safety cap: up to 1\.0 TiB .*cap 256\.0 MiB.*--host-lock-cap <size> or MLS_HOST_LOCK_CAP/);
  t.equal(checkLockCap(big, 2 ** 41 + 64 * MiB, null), undefined, 'a raised cap lets it through');
});

t.test('lock cap accounting', async (t) => {
  // null: a host without THP (every touch one page; test/host/lock-cap.test.ts has the THP cases).
  const line = (s: ReturnType<typeof ir.scenario>, cap = 256 * MiB) => checkLockCap(s, cap, null)?.step;
  // 300 MiB mapped but nothing populates it: fine.
  t.equal(line(ir.scenario([ir.mmap('p', 300 * MiB), ir.range('munmap', ir.at('p'), ir.whole('p'))])), undefined);
  // populate / locked count their length; mlock counts its range.
  t.equal(line(ir.scenario([ir.mmap('p', 200 * MiB, { flags: ['populate'] }), ir.mmap('q', 100 * MiB, { flags: ['locked'] })])), 1);
  t.equal(line(ir.scenario([ir.mmap('p', 300 * MiB), ir.range('mlock', ir.at('p'), ir.b(100 * MiB)),
    ir.range('mlock', ir.at('p'), ir.whole('p'))])), 2);
  // A wrapping length (mlock(p, SIZE_MAX)) locks nothing; a huge one is bounded by what is mapped.
  t.equal(line(ir.scenario([ir.mmap('p', 4 * P), ir.range('mlock', ir.at('p'), ir.b(2n ** 64n - 1n))])), undefined);
  t.equal(line(ir.scenario([ir.mmap('p', 4 * P), ir.range('mlock', ir.at('p'), ir.b(2n ** 60n))])), undefined);
  // Random accesses count at most one page each; writes count their range.
  t.equal(line(ir.scenario([ir.mmap('p', 2 ** 30), ir.random(ir.at('p'), ir.whole('p'), 1000)])), undefined);
  t.equal(line(ir.scenario([ir.mmap('p', 2 ** 30), ir.access('write', ir.at('p'), ir.whole('p'))])), 1);
  // MCL_FUTURE: every mapping of the scenario may be populated.
  t.equal(line(ir.scenario([ir.mlockall(2), ir.mmap('p', 300 * MiB)])), 0);
});

t.test('a missing or broken executor is reported, not thrown', async (t) => {
  const missing = createHostTarget('/nonexistent/mls-exec');
  const a = await missing.available();
  t.equal(a.ok, false);
  t.match(!a.ok && a.reason, /host executor not built/);
  const log = await missing.run(ir.scenario([ir.mmap('p', P)]), { kernel: 'host', trace: false, timeoutMs: 1000 });
  t.equal(log.outcome, 'skipped');
  const broken = await runOnHost(ir.scenario([ir.mmap('p', P)]), {
    kernel: 'host', trace: false, timeoutMs: 2000, executable: '/bin/false',
  });
  t.equal(broken.outcome, 'error');
  t.match(broken.message, /host executor did not start/);
});
