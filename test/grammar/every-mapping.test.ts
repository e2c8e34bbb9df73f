// `mlock|munlock|mlock2 every mapping` (SPEC.md §3.4): compiled, printed, run on the model.
// The host agrees (scenarios/ltp/mlock03-stack-size-unchanged.mls, `mls diff`); the
// [vsyscall] line's ENOMEM is the kernel's (a C probe on 6.18.44: mlock, munlock and
// mlock2 of 0xffffffffff600000 all fail with ENOMEM).
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { printScenario } from '../../grammar/print.js';
import { evaluate } from '../../runner/evaluation/evaluate.js';
import { runOnModel } from '../../runner/targets/model.js';
import { schemaErrors } from './helpers.js';

const H = 'scenario "t"\n';

t.test('IR and diagnostics', async (t) => {
  const r = compileSource(H + 'mlock every mapping\nmunlock every mapping => any\nmlock2 every mapping onfault => ENOMEM\nmlock2 every mapping MLOCK_ONFAULT\n', 't.mls');
  t.same(r.messages, []);
  t.same(r.scenario!.steps.map((s) => (s.op === 'every_mapping' ? [s.call, s.flags ?? null] : null)),
    [['mlock', null], ['munlock', null], ['mlock2', '1'], ['mlock2', '1']]);
  t.same(schemaErrors(r.scenario!), []);
  t.match(printScenario(r.scenario!), /mlock every mapping\nmunlock every mapping => any\nmlock2 every mapping onfault => ENOMEM\nmlock2 every mapping onfault\n/);
  const bad = compileSource(H + 'mlock every mapping onfault\nmlock2 every mapping onfalt\nmunlock every mappings\n', 't.mls');
  t.same(bad.messages.map((m) => [m.id, m.location?.line, m.location?.column]), [
    ['mls/unknown-flag', 2, 21], ['mls/unknown-flag', 3, 22], ['mls/parse', 4, 22],
  ]);
});

t.test('the model locks every VMA and fails on [vsyscall] only', async (t) => {
  const src = H + 'buf = mmap 4p rw private anon\nmlock every mapping => ENOMEM\nexpect buf locked == 4p, stack flags has lo\nmunlock every mapping => ENOMEM\nexpect locked_vm == 0\n';
  const s = compileSource(src, 't.mls').scenario!;
  const res = evaluate(s, runOnModel(s, { kernel: 'linux-6.18', trace: false, timeoutMs: 10000 } as never), 'linux-6.18', { source: src });
  t.same(res.checks.filter((c) => c.status !== 'pass').map((c) => [c.name, c.actual]), []);
});
