// Page-flag fields and system counters (SPEC.md §3.6): compiled, printed back,
// formatted, and their diagnostics (mls/system-counter).
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { formatSource } from '../../grammar/format.js';
import { printScenario } from '../../grammar/print.js';
import { schemaErrors, withoutLocations } from './helpers.js';

const H = 'scenario "t"\nbuf = mmap 4p rw private anon\n';
const ids = (body: string) => compileSource(H + body, 't.mls').messages.map((m) => [m.id, m.location?.line, m.location?.column]);

t.test('page-flag fields are region fields: bytes and maps', async (t) => {
  const src = H + 'mlock buf 2p\nexpect buf mlocked == 2p, unevictable >= 1p, mlocked_map == "##..", unevictable_map == "##.."\nlet n = buf mlocked\n';
  const r = compileSource(src, 't.mls');
  t.same(r.messages, []);
  t.same(schemaErrors(r.scenario!), []);
  const ex = r.scenario!.steps[2]!;
  t.same(ex.op === 'expect' ? ex.checks.map((c) => [c.region, c.field, c.op, c.value?.default]) : [], [
    ['buf', 'mlocked', '==', { bytes: 8192 }], ['buf', 'unevictable', '>=', { bytes: 4096 }],
    ['buf', 'mlocked_map', '==', { map: '##..' }], ['buf', 'unevictable_map', '==', { map: '##..' }],
  ]);
  const printed = printScenario(r.scenario!);
  t.match(printed, /expect buf mlocked == 2p, buf unevictable >= 1p, buf mlocked_map == "##..", buf unevictable_map == "##.."/);
  t.same(withoutLocations(compileSource(printed, 'p.mls').scenario!), withoutLocations(r.scenario!));
  t.same(ids('expect mlocked == 1p\n'), [['mls/unknown-field', 3, 8]], 'a region field needs its region');
  t.same(ids('expect buf mlocked_map == 2p\n'), [['mls/bad-value', 3, 27]]);
});

t.test('system counters: bounds against a capture of the same counter', async (t) => {
  const src = H + 'let m = sys_mlocked\nlet u = sys_unevictable\nmlock buf\nexpect sys_mlocked >= m + 3p, sys_unevictable > u, sys_mlocked <= m + 1M\n';
  const r = compileSource(src, 't.mls');
  t.same(r.messages, []);
  t.same(schemaErrors(r.scenario!), []);
  t.same(r.scenario!.steps[1], { op: 'expect', loc: r.scenario!.steps[1]!.loc, proc: 'main', checks: [], capture: { name: 'm', field: 'sys_mlocked' } });
  const printed = printScenario(r.scenario!);
  t.match(printed, /let m = sys_mlocked\n/);
  t.match(printed, /expect sys_mlocked >= m \+ 3p, sys_unevictable > u, sys_mlocked <= m \+ 1M/);
  t.same(withoutLocations(compileSource(printed, 'p.mls').scenario!), withoutLocations(r.scenario!));
});

t.test('mls/system-counter', async (t) => {
  t.same(ids('let m = sys_mlocked\nexpect sys_mlocked == m\n'), [['mls/system-counter', 4, 20]], '== is not a bound');
  t.same(ids('let m = sys_mlocked\nexpect sys_mlocked >= m, != m on linux-6.1\n'), [['mls/system-counter', 4, 20]], 'nor a case operator');
  t.same(ids('expect sys_mlocked >= 4p\n'), [['mls/system-counter', 3, 20]], 'a literal');
  t.same(ids('expect sys_unevictable\n'), [['mls/system-counter', 3, 8]], 'a placeholder');
  t.same(ids('let v = locked_vm\nexpect sys_mlocked >= v\n'), [['mls/system-counter', 4, 23]], 'a capture of another field');
  t.same(ids('let m = sys_mlocked\nexpect locked_vm <= m\n'), [['mls/system-counter', 4, 21]], 'a system capture used by another field');
  t.same(ids('let m = sys_mlocked\nexpect sys_unevictable >= m\n'), [['mls/system-counter', 4, 27]], 'nor by the other counter');
  t.same(ids('expect buf sys_mlocked >= 1p\n'), [['mls/unknown-field', 3, 12]], 'not a region field');
  const m = compileSource(H + 'let m = sys_mlocked\nexpect sys_mlocked == m + 4p\n', 't.mls').messages[0]!;
  t.match(m.text, /moves with other processes' locks: compare with < <= > >=, not ==/);
});

t.test('mls fmt keeps the new clauses as written', async (t) => {
  const src = H + 'let   m0 = sys_mlocked\nexpect buf   mlocked_map == "#..."  ,unevictable == 1p\nexpect sys_mlocked>=m0 + 1p\n';
  const f = formatSource(src, 't.mls');
  t.equal(f.text, H + 'let m0 = sys_mlocked\nexpect buf mlocked_map == "#...", unevictable == 1p\nexpect sys_mlocked >= m0 + 1p\n');
  t.equal(formatSource(f.text!, 't.mls').text, f.text, 'idempotent');
});

t.test('mls record fills page-flag placeholders from a run', async (t) => {
  const { recordSource } = await import('../../runner/record.js');
  const { runOnModel } = await import('../../runner/targets/model.js');
  const src = H + 'mlock2 buf 4p onfault\nwrite buf + 1p\nexpect buf mlocked_map, unevictable\n';
  const s = compileSource(src, 't.mls').scenario!;
  const out = recordSource(src, s, runOnModel(s, { kernel: 'linux-6.18', trace: false, timeoutMs: 10000 }));
  // The same line `mls record --target host` wrote on 6.18.44.
  t.match(out.text, /expect buf mlocked_map == "\.#\.\.", unevictable == 1p\n/);
});

t.test('kernel spellings of the new fields', async (t) => {
  const r = compileSource(H + 'let m = Mlocked\nlet u = NR_UNEVICTABLE\nexpect buf KPF_MLOCKED == 0, PG_unevictable == 0\nexpect sys_mlocked >= m, Unevictable >= u\n', 't.mls');
  t.same(r.messages, []);
  const fields = r.scenario!.steps.flatMap((st) => (st.op === 'expect' ? [...st.checks.map((c) => c.field), ...(st.capture ? [st.capture.field] : [])] : []));
  t.same(fields, ['sys_mlocked', 'sys_unevictable', 'mlocked', 'unevictable', 'sys_mlocked', 'sys_unevictable']);
});
