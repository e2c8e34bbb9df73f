// The shrinker on a synthetic divergence (test/fuzz/doubles.ts): the reference
// is the unmodified model, so the minimal scenario is known — one mlock2
// ONFAULT after the prelude — and the written regression must pass on the
// reference and fail on the perturbed target.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { compareLogs } from '../../runner/comparison/compare-logs.js';
import { fuzzRun } from '../../runner/fuzz/session.js';
import { modelAsHost, perturbedModelTarget } from './doubles.js';

t.test('a perturbed VmLck shrinks to one mlock2 onfault and is written as a kernel-valued regression', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'mls-fuzz-shrink-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const report = await fuzzRun({
    seed: 3, count: 60, jobs: 2, kernel: 'linux-6.18', timeoutMs: 10_000, shrink: true, outDir: out, shrinkEvaluations: 400,
    model: perturbedModelTarget, host: modelAsHost, env: { noSysResource: false },
  });
  t.equal(report.run, 60);
  t.ok(report.divergent > 0, 'the perturbation was hit');
  t.same(report.findings.map((f) => f.signature), ['mlock2: status.VmLck'], 'one signature, the perturbed field');
  const f = report.findings[0]!;
  const min = f.minimal!;
  t.ok(min, 'shrunk');
  const steps = min.scenario.steps;
  // The arena prelude, then the single statement that triggers the perturbation.
  t.equal(steps.length, 2, `minimal scenario has the arena and one statement (got ${steps.map((s) => s.op).join(', ')})`);
  t.match(steps[1], { op: 'mlock2', flags: '1' });
  t.equal(min.choices.length, 1, 'one choice left');
  for (const k of ['p', 'b', 'c', 'f'] as const) t.equal(min.choices[0]![k], 0, `choice field ${k} lowered to 0`);
  t.ok(min.evaluations > 0 && min.evaluations <= 400);
  const w = min.written!;
  t.equal(w.host, 'PASS', 'the regression passes on the reference');
  t.equal(w.model, 'FAIL', 'and fails on the perturbed target');
  t.same(readdirSync(out), ['mlock2-status-vmlck.mls']);
  const text = readFileSync(join(out, 'mlock2-status-vmlck.mls'), 'utf8');
  t.match(text, /^mlock2 (heap|stack|arena[^\n]*) onfault$/m);
  t.match(text, /^expect locked_vm == \d+/m);
  t.ok(compileSource(text, 'x.mls').scenario, 'the file compiles');
});

t.test('without --out a divergence is shrunk and reported, and nothing is written (issue 14 finding 13)', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'mls-fuzz-noout-'));
  t.teardown(() => rmSync(cwd, { recursive: true, force: true }));
  const before = process.cwd();
  process.chdir(cwd);
  let report;
  try {
    report = await fuzzRun({
      seed: 3, count: 60, jobs: 2, kernel: 'linux-6.18', timeoutMs: 10_000, shrink: true, shrinkEvaluations: 400,
      model: perturbedModelTarget, host: modelAsHost, env: { noSysResource: false },
    });
  } finally {
    process.chdir(before);
  }
  const w = report.findings[0]?.minimal?.written;
  t.ok(w, 'shrunk and checked as a file would be');
  t.equal(w!.keep, true, 'a regression');
  t.equal(w!.path, undefined, 'not written');
  t.equal(w!.name, 'mlock2-status-vmlck.mls');
  t.match(w!.text, /^expect locked_vm == \d+/m, 'its text is in the report');
  t.same(readdirSync(cwd), [], 'no scenarios/fuzz (nor anything else) appeared');
});

t.test('compareLogs reports each differing field once, with generalised names', async (t) => {
  const snap = (lck: number, rss: number) => ({
    status: { VmLck: lck, VmPin: 0, VmSize: 8192, VmRSS: 0 }, mapCount: 3, lockedTotal: 0, mclFuture: 'off' as const,
    regions: { buf: { len: 8192, resident: [[0, 1]], vmas: [{ start: 0, end: 8192, prot: 'rw-', shared: false, flags: ['rd', 'wr'], rss, pss: rss, locked: 0, anonymous: rss }] } },
  });
  const log = (lck: number, rss: number, errno?: string) => ({
    schemaVersion: 1 as const, target: 'model' as const, kernel: 'k', outcome: 'completed' as const,
    steps: [{ step: 0, proc: 'main', result: errno ? { outcome: 'errno' as const, errno } : { outcome: 'ok' as const, value: '0' }, snapshot: snap(lck, rss) }],
  });
  t.same(compareLogs(log(0, 4096), log(0, 4096)), []);
  const d = compareLogs(log(4096, 4096, 'ENOMEM'), log(0, 8192));
  t.same(d.map((x) => [x.path, x.field]), [
    ['result', 'result'], ['status.VmLck', 'status.VmLck'],
    ['regions.buf.vmas[0].rss', 'regions.*.vmas[].rss'], ['regions.buf.vmas[0].pss', 'regions.*.vmas[].pss'],
    ['regions.buf.vmas[0].anonymous', 'regions.*.vmas[].anonymous'],
  ]);
  t.same(compareLogs(log(0, 0), log(0, 0), { ignore: () => true }), [], 'ignore predicate');
});

t.test('runs that stop at the same step on both targets are counted apart from executor trouble', async (t) => {
  // The model plays both sides, so every run that ends in error ends the same way on both.
  let images = 0;
  const same = await fuzzRun({
    seed: 100, count: 300, jobs: 2, kernel: 'linux-6.18', timeoutMs: 10_000, shrinkEvaluations: 0,
    model: modelAsHost, host: modelAsHost, env: { noSysResource: false }, onHostImage: () => { images++; },
  });
  t.equal(images, 1, 'the host start image is handed on once (for the unmodelled-facts lines)');
  t.equal(same.hostErrors, 0, 'no executor trouble');
  t.ok(same.stoppedEarly > 0, `some generated runs use a region whose mmap failed (${same.stoppedEarly})`);
  // A host that fails every run where the model completes is trouble, not an early stop.
  const broken = { ...modelAsHost, run: async () => ({ schemaVersion: 1 as const, target: 'host' as const, kernel: 'k', outcome: 'error' as const, message: 'executor died', steps: [] }) };
  const bad = await fuzzRun({
    seed: 100, count: 20, jobs: 1, kernel: 'linux-6.18', timeoutMs: 10_000, shrinkEvaluations: 0,
    model: modelAsHost, host: broken, env: { noSysResource: false },
  });
  t.equal(bad.hostErrors, 20 - bad.stoppedEarly);
  t.ok(bad.hostErrors > 15);
});

t.test('a host run the executor itself failed is tried once more, and never counts as a divergence', async (t) => {
  const { runPair } = await import('../../runner/fuzz/pair.js');
  const { materialize } = await import('../../runner/fuzz/materialize.js');
  const { ChoiceStream } = await import('../../runner/fuzz/choices.js');
  const { scenario } = materialize(new ChoiceStream(5).at(0), 'x', 'x.mls', { noSysResource: false });
  const trouble = { schemaVersion: 1 as const, target: 'host' as const, kernel: 'k', outcome: 'error' as const, steps: [],
    message: "host executor: the scenario's first process failed before its first step: process is not running" };
  let calls = 0;
  const flaky = { run: async (s: typeof scenario, o: Parameters<typeof modelAsHost.run>[1]) => (++calls === 1 ? trouble : modelAsHost.run(s, o)) };
  const once = await runPair(scenario, modelAsHost, flaky, { kernel: 'linux-6.18', timeoutMs: 10_000 });
  t.equal(calls, 2, 'retried');
  t.equal(once.host.outcome, 'completed');
  t.same(once.divergences, []);
  const broken = { run: async () => trouble };
  const twice = await runPair(scenario, modelAsHost, broken, { kernel: 'linux-6.18', timeoutMs: 10_000 });
  t.equal(twice.host.outcome, 'error');
  t.same(twice.divergences, [], 'executor trouble says nothing about the model');
});

t.test('a divergence the host does not repeat on rerun is reported as unstable, not as a divergence', async (t) => {
  // A "kernel" that gives the perturbed VmLck only on the first run of each scenario: a race.
  const seen = new Set<string>();
  const racy = {
    ...modelAsHost,
    async run(s: Parameters<typeof modelAsHost.run>[0], o: Parameters<typeof modelAsHost.run>[1]) {
      const first = !seen.has(s.name);
      seen.add(s.name);
      return (first ? perturbedModelTarget : modelAsHost).run(s, o);
    },
  };
  const report = await fuzzRun({
    seed: 3, count: 60, jobs: 2, kernel: 'linux-6.18', timeoutMs: 10_000, shrinkEvaluations: 0,
    model: modelAsHost, host: racy, env: { noSysResource: false },
  });
  t.equal(report.divergent, 0, 'nothing counted as divergent');
  t.ok(report.unstable > 0, `the first-run perturbation was seen (${report.unstable})`);
  t.same(report.unstables.map((u) => [u.signature, u.rerun]), [['mlock2: status.VmLck', 1]], 'one signature, agreed on the first rerun');
  t.same(report.findings, []);
});
