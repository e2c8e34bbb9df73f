import t from 'tap';
import { evaluate, PLACEHOLDER_MESSAGE } from '../../runner/evaluation/evaluate.js';
import { log, scenario, SOURCE } from './fixtures/ir.js';

t.test('every call result and expect clause becomes one check point', async (t) => {
  const r = evaluate(scenario(), log(), 'linux-6.18', { source: SOURCE });
  t.equal(r.outcome, 'PASS');
  t.same(r.checks.map((c) => [c.kind, c.status]), [
    ['result', 'pass'], ['result', 'pass'],
    ['expect', 'pass'], ['expect', 'pass'], ['expect', 'pass'], ['expect', 'pass'],
    ['result', 'pass'], ['expect', 'pass'], ['expect', 'skip'], ['expect', 'pass'], ['expect', 'pass'],
  ]);
  const lockedVm = r.checks[2]!;
  t.equal(lockedVm.name, 'locked_vm == 4p');
  t.equal(lockedVm.expected, '4p (16 kB)');
  t.equal(lockedVm.actual, '4p (16 kB)');
  t.equal(lockedVm.unit, 'bytes');
  t.same(lockedVm.location, { file: 'a.mls', line: 4, column: 8, length: 15, lineText: SOURCE.split('\n')[3] });
  t.equal(r.checks[3]!.name, 'buf locked == 4p', 'region named in the clause');
  t.equal(r.checks[5]!.name, 'buf vmas == 2', 'carried-over region is prefixed');
  t.equal(r.checks[6]!.name, 'mlock buf 1T => ENOMEM');
  t.equal(r.checks[6]!.expected, 'ENOMEM');
  t.equal(r.checks[6]!.location.column, 14, 'a result check points at its => clause');
});

t.test('placeholder expectations are skip points that still show the actual value', async (t) => {
  const r = evaluate(scenario(), log(), 'linux-6.18', { source: SOURCE });
  const p = r.checks[8]!;
  t.equal(p.status, 'skip');
  t.equal(p.message, PLACEHOLDER_MESSAGE);
  t.equal(p.actual, '4p (16 kB)');
  t.equal(p.expected, undefined);
});

t.test('a wrong value fails with expected vs actual in units and a picture', async (t) => {
  const r = evaluate(scenario(), log(2), 'linux-6.18', { source: SOURCE });
  t.equal(r.outcome, 'FAIL');
  const f = r.checks.find((c) => c.status === 'fail')!;
  t.equal(f.counter, 'locked_vm');
  t.equal(f.expected, '4p (16 kB)');
  t.equal(f.actual, '2p (8 kB)');
  t.match(r.picture, /buf: 16p \(64 kB\), 2 VMAs/);
  t.match(r.picture, /\[0, 2p\)\s+rw- private\s+locked/);
  t.match(r.picture, /resident ##\n/);
  const map = r.checks.find((c) => c.counter === 'buf.resident_map')!;
  t.equal(map.status, 'fail');
  t.equal(map.actual, '"##.............."');
});

t.test('per-profile values: first matching case wins, then version constraints, then default', async (t) => {
  const pick = (profile: string) => evaluate(scenario(), log(), profile, { source: SOURCE }).checks[9]!;
  t.equal(pick('linux-6.18').expected, '4p (16 kB)', '>= 6.0 matches 6.18');
  t.equal(pick('linux-6.18+posix-mlock').expected, '8p (32 kB)', 'patch included in profile');
  t.equal(pick('linux-6.18+posix-mlock').status, 'fail');
  t.equal(pick('linux-5.15').expected, '0', 'default');
});

t.test('wrong errno and unexpected signal are failures with symbolic names', async (t) => {
  const l = log();
  l.steps[4] = { step: 4, proc: 'main', result: { outcome: 'errno', errno: 'EPERM' } };
  l.steps[1] = { step: 1, proc: 'main', result: { outcome: 'signal', signal: 'SIGSEGV' } };
  const r = evaluate(scenario(), l, 'linux-6.18', { source: SOURCE });
  t.equal(r.checks[1]!.status, 'fail');
  t.equal(r.checks[1]!.actual, 'killed by SIGSEGV');
  t.equal(r.checks[6]!.actual, 'EPERM');
  t.equal(r.checks[6]!.expected, 'ENOMEM');
});

t.test('timeout and error logs give ERROR; unreached steps are skip points', async (t) => {
  const l = log(4, { outcome: 'timeout', message: 'budget 10 ms exceeded' });
  l.steps = l.steps.slice(0, 3);
  const r = evaluate(scenario(), l, 'linux-6.18', { source: SOURCE });
  t.equal(r.outcome, 'ERROR');
  t.equal(r.messages[0]!.id, 'run/timeout');
  t.match(r.checks[4]!.message, /not reached: the run ended early \(timeout: budget 10 ms exceeded\)/);
  t.equal(r.checks[4]!.status, 'skip');
});

t.test('skipped logs give SKIP with the reason', async (t) => {
  const r = evaluate(scenario(), log(4, { outcome: 'skipped', skipReason: 'needs hugetlb', steps: [] }), 'linux-6.18');
  t.equal(r.outcome, 'SKIP');
  t.equal(r.skipReason, 'needs hugetlb');
});

t.test('without source text, names are synthesized from the IR', async (t) => {
  const r = evaluate(scenario(), log(), 'linux-6.18');
  t.equal(r.checks[0]!.name, 'buf = mmap 16p rw- private anon => ok');
  t.equal(r.checks[6]!.name, 'mlock buf 268435456p => ENOMEM');
});

t.test('unknown region is a failure that says so', async (t) => {
  const s = scenario();
  const step = s.steps[3] as { checks: Array<{ region?: string }> };
  step.checks[0]!.region = 'nope';
  const r = evaluate(s, log(), 'linux-6.18', { source: SOURCE });
  const c = r.checks[4]!;
  t.equal(c.status, 'fail');
  t.match(c.message, /region 'nope' is not bound/);
});

t.test('a per-profile case with its own operator replaces the comparison on that profile', async (t) => {
  const s = scenario();
  const step = s.steps.find((x) => x.op === 'expect' && x.checks.some((c) => c.field === 'locked_vm'));
  if (!step || step.op !== 'expect') throw new Error('fixture has no locked_vm clause');
  const i = step.checks.findIndex((c) => c.field === 'locked_vm');
  // locked_vm is 4p in the fixture log: `== 4p` by default, `< 4p` (false) on posix-mlock, `!= 8p` (true) below 6.0.
  step.checks[i] = { ...step.checks[i]!, op: '==', value: { default: { bytes: 16384 }, cases: [
    { when: { profile: 'posix-mlock' }, value: { bytes: 16384 }, op: '<' },
    { when: { version: { op: '<', version: '6.0' } }, value: { bytes: 32768 }, op: '!=' },
  ] } };
  const point = (profile: string) => evaluate(s, log(), profile, { source: SOURCE }).checks.find((c) => c.counter === 'locked_vm')!;
  t.equal(point('linux-6.18').status, 'pass');
  t.equal(point('linux-6.18+posix-mlock').status, 'fail');
  t.equal(point('linux-6.18+posix-mlock').expected, '< 4p (16 kB)');
  t.equal(point('linux-5.15').status, 'pass');
  t.equal(point('linux-5.15').expected, '!= 8p (32 kB)');
});
