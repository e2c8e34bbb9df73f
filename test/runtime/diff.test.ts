// runner/comparison/diff.ts: the first divergence between a model log and a kernel log.
import t from 'tap';
import type { ObservationLog, Scenario, Snapshot } from '../../schema/generated/types.js';
import { compareLogs } from '../../runner/comparison/diff.js';
import { NOISE_DESCRIPTION } from '../../runner/comparison/executor-noise.js';

const loc = (line: number) => ({ file: 'a.mls', line, column: 1 });
const scenario = {
  schemaVersion: 1, file: 'a.mls', name: 'a', description: '', tags: [], kernels: { profiles: [], constraints: [] },
  requires: [], env: { image: 'default' }, processes: ['main'], hash: '',
  steps: [
    { op: 'mlock', loc: loc(3), proc: 'main', addr: { region: 'buf', offset: '0' }, len: { bytes: '4096' }, result: { default: { kind: 'ok' }, cases: [] } },
    { op: 'expect', loc: loc(4), proc: 'main', checks: [] },
  ],
} as unknown as Scenario;

const snap = (vmLck: number, rss = 0): Snapshot => ({
  status: { VmLck: vmLck, VmPin: 0, VmSize: 8192, VmRSS: rss }, mapCount: 3, lockedTotal: 0, mclFuture: 'off',
  regions: {
    buf: { len: 4096, vmas: [{ start: 0, end: 4096, prot: 'rw-', shared: false, flags: ['rd', 'wr', 'lo'], rss: 4096, pss: 4096, locked: 4096, anonymous: 4096 }], resident: [[0, 1]] },
    stack: { len: 8192, vmas: [{ start: 0, end: 8192, prot: 'rw-', shared: false, flags: ['gd'], rss: rss, pss: rss, locked: 0, anonymous: rss }], resident: [] },
  },
});
const log = (target: 'model' | 'host', vmLck: number, errno?: string, rss = 0): ObservationLog => ({
  schemaVersion: 1, target, kernel: 'x', outcome: 'completed',
  steps: [
    { step: 0, proc: 'main', result: errno ? { outcome: 'errno', errno } : { outcome: 'ok', value: '0' }, snapshot: snap(vmLck, rss) },
    { step: 1, proc: 'main', snapshot: snap(vmLck, rss) },
  ],
});

t.test('agreeing logs', async (t) => {
  t.same(compareLogs(scenario, log('model', 4096), log('host', 4096)), { kind: 'agree', steps: 2 });
});

t.test('a result difference is reported at its statement', async (t) => {
  const d = compareLogs(scenario, log('model', 4096, 'ENOMEM'), log('host', 4096));
  const one = { step: 0, line: 3, column: 1, proc: 'main', field: 'result', path: 'result', model: 'ENOMEM', kernel: 'ok 0' };
  t.same(d, { kind: 'diverge', divergence: one, divergences: [one] });
});

t.test('the first differing field of a snapshot, by path', async (t) => {
  const d = compareLogs(scenario, log('model', 8192), log('host', 4096));
  t.equal(d.kind, 'diverge');
  if (d.kind === 'diverge') t.same([d.divergence.field, d.divergence.path, d.divergence.model, d.divergence.kernel], ['locked_vm', 'status.VmLck', '2p (8 kB)', '1p (4 kB)'], 'in the language\'s words');
});

t.test('executor noise is not compared: VmRSS and built-in region residency', async (t) => {
  t.same(compareLogs(scenario, log('model', 4096, undefined, 0), log('host', 4096, undefined, 8192)).kind, 'agree');
  t.ok(NOISE_DESCRIPTION.includes('status.VmRSS'));
});

t.test('skips and early ends', async (t) => {
  const skipped: ObservationLog = { schemaVersion: 1, target: 'host', kernel: 'x', outcome: 'skipped', skipReason: 'needs hugetlb', steps: [] };
  t.same(compareLogs(scenario, log('model', 0), skipped), { kind: 'skipped', reason: 'host: needs hugetlb' });
  const fact = { ...skipped, skipReason: 'host: the scenario\'s files live on tmpfs (files=tmpfs); the scenario assumes files=disk' };
  t.same(compareLogs(scenario, log('model', 0), fact), { kind: 'skipped', reason: fact.skipReason }, 'a reason that names the host already says it once');
  const short = log('model', 4096);
  short.steps.pop();
  short.outcome = 'error';
  short.message = 'boom';
  const d = compareLogs(scenario, short, log('host', 4096));
  t.equal(d.kind, 'diverge');
  if (d.kind === 'diverge') t.equal(d.divergence.field, 'reached');
});

t.test('every divergent field of the first divergent step, in the language\'s words (issue 16 finding 7)', async (t) => {
  const model = log('model', 8192, 'ENOMEM');
  const host = log('host', 4096);
  const m0 = model.steps[0]!.snapshot!;
  m0.lockedTotal = 8192;
  m0.regions['buf']!.vmas[0]!.locked = 0;
  m0.regions['buf']!.vmas[0]!.flags = ['rd', 'wr'];
  const d = compareLogs(scenario, model, host);
  t.equal(d.kind, 'diverge');
  if (d.kind !== 'diverge') return;
  t.same(d.divergences.map((x) => `${x.field}: model ${x.model}, kernel ${x.kernel}`), [
    'result: model ENOMEM, kernel ok 0',
    'locked_vm: model 2p (8 kB), kernel 1p (4 kB)',
    'locked: model 2p (8 kB), kernel 0',
    'buf flags: model rd wr, kernel lo rd wr',
    'buf locked: model 0, kernel 1p (4 kB)',
  ]);
  t.ok(d.divergences.every((x) => x.step === 0), 'only the first divergent step');
});
