// `let name = [region] field` and `before + 1p` (SPEC.md §3.6): relative
// expectations, compiled, printed back, and judged against a model run.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { printScenario } from '../../grammar/print.js';
import { evaluate } from '../../runner/evaluation/evaluate.js';
import { runOnModel } from '../../runner/targets/model.js';
import { schemaErrors, withoutLocations } from './helpers.js';

const H = 'scenario "t"\nbuf = mmap 16p rw private anon\n';
const ids = (body: string) => compileSource(H + body, 't.mls').messages.map((m) => [m.id, m.location?.line, m.location?.column]);

t.test('let compiles to an expect step with a capture; uses to captured values', async (t) => {
  const r = compileSource(H + 'let v = locked_vm\nlet s = buf rss\nlet n = VmLck\nexpect locked_vm == v + 4p, buf rss >= s - 1p, map_count == 3, locked_vm != n\n', 't.mls');
  t.same(r.messages, []);
  t.same(schemaErrors(r.scenario!), []);
  const steps = r.scenario!.steps;
  t.same(steps[1], { op: 'expect', loc: steps[1]!.loc, proc: 'main', checks: [], capture: { name: 'v', field: 'locked_vm' } });
  t.same(steps[2] && 'capture' in steps[2] ? steps[2].capture : undefined, { name: 's', field: 'rss', region: 'buf' });
  const checks = steps[4]!.op === 'expect' ? steps[4]!.checks.map((c) => c.value?.default) : [];
  t.same(checks, [{ captured: { name: 'v', offset: '16384' } }, { captured: { name: 's', offset: '-4096' } }, { count: 3 }, { captured: { name: 'n', offset: '0' } }]);
  const printed = printScenario(r.scenario!);
  t.match(printed, /let v = locked_vm\nlet s = buf rss\nlet n = locked_vm\n/);
  t.match(printed, /locked_vm == v \+ 4p/);
  t.same(withoutLocations(compileSource(printed, 'p.mls').scenario!), withoutLocations(r.scenario!));
});

t.test('errors', async (t) => {
  t.same(ids('expect locked_vm == vv + 1p\n'), [['mls/unknown-capture', 3, 21]]);
  t.same(ids('let v = locked_vm\nexpect locked_vm == w\n'), [['mls/unknown-capture', 4, 21]]);
  t.same(ids('expect locked_vm == w\n'), [['mls/bad-value', 3, 21]], 'no let yet: a word is a value of the wrong kind');
  t.same(ids('let v = map_count\nexpect locked_vm == v\n'), [['mls/bad-value', 4, 21]], 'a count is not a size');
  t.same(ids('let v = mcl_future\n'), [['mls/bad-value', 3, 9]]);
  t.same(ids('let v = rss\nlet v = rss\n'), [['mls/bad-value', 4, 5]]);
  t.same(ids('let v = size\n'), [['mls/unknown-field', 3, 9]], 'a region field needs the region');
  t.same(ids('let v = bfu rss\n'), [['mls/unknown-region', 3, 9]]);
  t.same(ids('let v = locked_vm\nexpect locked_vm == v + buf\n'), [['mls/bad-value', 4, 25]]);
});

t.test('judged against the value observed at the let', async (t) => {
  const src = H + 'let v = locked_vm\nmlock buf 4p\nexpect locked_vm == v + 4p\nexpect locked_vm == v + 5p\nexpect locked_vm > v\n';
  const s = compileSource(src, 't.mls').scenario!;
  const res = evaluate(s, runOnModel(s, { kernel: 'linux-6.18', trace: false, timeoutMs: 10000 }), 'linux-6.18', { source: src });
  t.same(res.checks.filter((c) => c.kind === 'expect').map((c) => [c.name, c.status]), [
    ['locked_vm == v + 4p', 'pass'], ['locked_vm == v + 5p', 'fail'], ['locked_vm > v', 'pass'],
  ]);
  t.match(res.checks.find((c) => c.status === 'fail')?.message, /expected 5p/);
});
