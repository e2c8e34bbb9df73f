// Batched host runs (runner/targets/host/session.ts): one supervisor, many
// scenarios, each in a fresh process tree. Checked against the kernel itself:
// the one-pass snapshot equals the reference form (whole smaps, smaps_rollup,
// the probe every time) taken right after it; a batched run observes what a
// one-shot run observes; isolation, timeouts and a dying supervisor.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import { compareLogs } from '../../runner/comparison/compare-logs.js';
import { ChoiceStream } from '../../runner/fuzz/choices.js';
import { materialize } from '../../runner/fuzz/materialize.js';
import { noiseFilter } from '../../runner/comparison/executor-noise.js';
import { hostEnv } from '../../runner/fuzz/session.js';
import { createHostTarget, executablePath } from '../../runner/targets/host.js';
import { HostSession } from '../../runner/targets/host/session.js';
import * as ir from './ir.js';

const P = ir.P;
const opts = { kernel: 'host', trace: true, timeoutMs: 20000 };
const env = hostEnv();
const fuzzScenarios = (seed: number, n: number): Scenario[] => {
  const s = new ChoiceStream(seed);
  return Array.from({ length: n }, (_, i) => materialize(s.at(i), `batch ${seed} #${i}`, 'batch.mls', env).scenario);
};

function alive(pids: number[]): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f[0] !== 'Z' && (pids.includes(Number(f[2])) || pids.includes(Number(d)))) out.push(Number(d));
  }
  return out;
}

t.test('one-pass snapshots equal the reference form on 400 generated scenarios', async (t) => {
  const session = new HostSession({ executable: executablePath() });
  const scenarios = [...fuzzScenarios(11, 200), ...fuzzScenarios(5, 200)];
  const logs = await Promise.all(scenarios.map((s) => session.run(s, { ...opts, checkSnapshots: true })));
  await session.close();
  const differ = logs.filter((l) => /reference form/.test(l.message ?? ''));
  t.same(differ.map((l) => l.message), [], 'no snapshot differs from `snap full`');
  // The check means something only if it saw locked memory and MCL_FUTURE.
  const snaps = logs.flatMap((l) => l.steps.flatMap((o) => (o.snapshot ? [o.snapshot] : [])));
  t.ok(snaps.length > 3000, `${snaps.length} snapshots compared`);
  t.ok(snaps.filter((s) => s.lockedTotal > 0).length > 100, 'many with locked pages');
  t.ok(snaps.filter((s) => s.mclFuture !== 'off').length > 50, 'many under MCL_FUTURE');
  t.ok(logs.filter((l) => l.outcome === 'completed').length > 300, 'most scenarios complete');
});

t.test('a batched run observes what a one-shot run observes', async (t) => {
  const host = createHostTarget();
  const session = host.openSession!();
  const scenarios = fuzzScenarios(3, 40);
  const batched = await Promise.all(scenarios.map((s) => session.run(s, opts)));
  await session.close();
  // ASLR places unanchored mappings differently on every run, and a generated step may reach past
  // its region (mlock of 2^63 bytes locks whatever lies above): such a step's result differs between
  // any two runs. So the batched run must match one of up to four one-shot runs, not a given one.
  for (let i = 0; i < scenarios.length; i++) {
    const s = scenarios[i]!;
    let single = await host.run(s, opts);
    let d = compareLogs(batched[i]!, single, { ignore: noiseFilter(s) });
    for (let retry = 0; retry < 3 && (d.length > 0 || single.outcome !== batched[i]!.outcome); retry++) {
      single = await host.run(s, opts);
      d = compareLogs(batched[i]!, single, { ignore: noiseFilter(s) });
    }
    t.equal(batched[i]!.outcome, single.outcome, `${s.name}: outcome`);
    t.same(d, [], `${s.name}: same observations`);
  }
});

t.test('each scenario starts fresh: rlimits, capabilities, files, processes', async (t) => {
  let info: { tmpDir: string; supervisorPid: number; workerGroup: number }[] = [];
  const session = new HostSession({ executable: executablePath(), onStart: (i) => { info.push(i); } });
  const spoil = ir.scenario([ir.setrlimit('0'), ir.cap('drop'), ir.file('f', P), ir.fork('kid'), ir.mmap('p', 4 * P),
    ir.range('mlock', ir.at('p'), ir.whole('p'))], { requires: ['root'] });
  const probe = ir.scenario([ir.mmap('p', 4 * P), ir.range('mlock', ir.at('p'), ir.whole('p')),
    { op: 'truncate', loc: { file: 'test.mls', line: 99, column: 1 }, proc: 'main', file: 'f', size: '0', result: { default: { kind: 'ok' }, cases: [] } } as never,
    ir.expectSnap()], { requires: ['root'] });
  const [a, b] = await Promise.all([session.run(spoil, opts), session.run(probe, opts)]);
  const fresh = await createHostTarget().run(probe, opts);
  t.equal(a.outcome, 'completed');
  t.same(a.steps[5]!.result, { outcome: 'errno', errno: 'EPERM' }, 'the first scenario could not lock');
  t.same(b.steps.map((o) => o.result), fresh.steps.map((o) => o.result), 'the second behaves as a fresh run');
  t.same(b.steps[1]!.result, { outcome: 'ok', value: '0' }, 'its limit and capability are the originals');
  t.same(b.steps[2]!.result, { outcome: 'errno', errno: 'ENOENT' }, 'the first scenario\'s file is gone');
  t.equal(b.steps[3]!.snapshot!.status.VmLck, 4 * P);
  t.equal(info.length, 2);
  t.not(info[0]!.workerGroup, info[1]!.workerGroup, 'a process group per scenario');
  t.same(alive([info[0]!.workerGroup]), [], 'the first scenario\'s processes (incl. the forked one) are gone');
  t.equal(info[0]!.supervisorPid, info[1]!.supervisorPid, 'one supervisor');
  await session.close();
  t.notOk(existsSync(info[0]!.tmpDir), 'temp dir removed');
  t.same(alive([info[0]!.supervisorPid, info[1]!.workerGroup]), [], 'nothing survives the session');
  info = [];
});

t.test('a timeout kills that scenario only; the batch goes on', async (t) => {
  const groups: number[] = [];
  const session = new HostSession({ executable: executablePath(), onStart: (i) => { groups.push(i.workerGroup); } });
  const ok = ir.scenario([ir.mmap('p', 4 * P), ir.range('mlock', ir.at('p'), ir.whole('p')), ir.expectSnap()]);
  const hung = ir.scenario([ir.mmap('p', 16 * P), ir.fork('kid'), ir.random(ir.at('p'), ir.whole('p'), 2 ** 40, 'kid'), ir.expectSnap()]);
  const t0 = Date.now();
  const logs = await Promise.all([ok, hung, ok].map((s) => session.run(s, { ...opts, trace: false, timeoutMs: 1000 })));
  t.same(logs.map((l) => l.outcome), ['completed', 'timeout', 'completed']);
  t.match(logs[1]!.message, /timed out after 1000 ms at test\.mls:\d+:1 \(access\)/);
  t.equal(logs[1]!.steps.length, 2, 'steps before the hang are kept');
  t.equal(logs[2]!.steps[2]!.snapshot!.status.VmLck, 4 * P);
  t.ok(Date.now() - t0 < 5000);
  t.same(alive([groups[1]!]), [], 'the hung scenario\'s processes are gone');
  await session.close();
});

t.test('a supervisor that dies takes only the running scenario with it', async (t) => {
  let sup = 0;
  const session = new HostSession({ executable: executablePath(), onStart: (i) => { sup ||= i.supervisorPid; } });
  const hung = ir.scenario([ir.mmap('p', 16 * P), ir.random(ir.at('p'), ir.whole('p'), 2 ** 40)]);
  const ok = ir.scenario([ir.mmap('p', 4 * P), ir.range('mlock', ir.at('p'), ir.whole('p')), ir.expectSnap()]);
  const runs: Promise<ObservationLog>[] = [hung, ok, ok].map((s) => session.run(s, { ...opts, trace: false, timeoutMs: 20000 }));
  while (!sup) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 200));
  process.kill(sup, 'SIGKILL');
  const logs = await Promise.all(runs);
  t.equal(logs[0]!.outcome, 'error');
  t.match(logs[0]!.message, /host executor ended unexpectedly/);
  t.same(logs.slice(1).map((l) => l.outcome), ['completed', 'completed'], 'the queued scenarios ran on a new supervisor');
  t.equal(logs[2]!.steps[2]!.snapshot!.status.VmLck, 4 * P);
  await session.close();
});
