// `=> EINVAL or ENOMEM` (SPEC.md §3): a set of acceptable results, in the IR as
// kind oneOf, printed back, formatted, and judged (any one passes).
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { formatSource } from '../../grammar/format.js';
import { printScenario } from '../../grammar/print.js';
import { renderExpectedResult, resultHolds } from '../../runner/evaluation/result.js';
import { schemaErrors, withoutLocations } from './helpers.js';

const H = 'scenario "t"\nbuf = mmap 4p rw private anon\n';
const step = (body: string) => {
  const r = compileSource(H + body, 't.mls');
  return { r, s: r.scenario?.steps[1] };
};

t.test('alternatives compile to oneOf, per profile too', async (t) => {
  const { r, s } = step('mlock buf => EINVAL or enomem or 0, ok or EPERM on < 4.4\n');
  t.same(r.messages, []);
  t.same(s && 'result' in s ? { d: s.result.default, c: s.result.cases.map((c) => c.value) } : undefined, {
    d: { kind: 'oneOf', oneOf: [{ kind: 'errno', errno: 'EINVAL' }, { kind: 'errno', errno: 'ENOMEM' }, { kind: 'value', value: '0' }] },
    c: [{ kind: 'oneOf', oneOf: [{ kind: 'ok' }, { kind: 'errno', errno: 'EPERM' }] }],
  });
  t.same(schemaErrors(r.scenario!), []);
});

t.test('print and fmt keep the alternatives', async (t) => {
  const text = H + 'mlock buf   =>  EINVAL   or ENOMEM\n';
  const r = compileSource(text, 't.mls');
  const printed = printScenario(r.scenario!);
  t.match(printed, /mlock buf 4p => EINVAL or ENOMEM\n/);
  t.same(withoutLocations(compileSource(printed, 'p.mls').scenario!), withoutLocations(r.scenario!));
  t.match(formatSource(text, 't.mls').text, /mlock buf => EINVAL or ENOMEM\n/);
});

t.test('bad alternatives', async (t) => {
  t.same(step('mlock buf => EINVAL or any\n').r.messages.map((m) => [m.id, m.location?.column]), [['mls/bad-value', 24]]);
  t.same(step('mlock buf => EINVAL or ENOMEME\n').r.messages.map((m) => [m.id, m.location?.suggestion]), [['mls/unknown-errno', 'ENOMEM']]);
  t.same(step('mlock buf => EINVAL or\n').r.messages.map((m) => m.id), ['mls/parse']);
});

t.test('any one alternative passes; others fail', async (t) => {
  const want = { kind: 'oneOf' as const, oneOf: [{ kind: 'errno' as const, errno: 'EINVAL' }, { kind: 'errno' as const, errno: 'ENOMEM' }] as [never, never] };
  t.ok(resultHolds(want, { outcome: 'errno', errno: 'ENOMEM' }));
  t.ok(resultHolds(want, { outcome: 'errno', errno: 'EINVAL' }));
  t.notOk(resultHolds(want, { outcome: 'errno', errno: 'EPERM' }));
  t.notOk(resultHolds(want, { outcome: 'ok' }));
  t.equal(renderExpectedResult(want), 'EINVAL or ENOMEM');
});
