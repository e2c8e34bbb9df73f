// SPEC.md §1.1: a bare decimal below a page in a size or byte counter (`mmap 4`,
// `locked_vm == 4`) is bytes; the compiler says so (mls/no-unit) and `4B`,
// `4p`, hex and page multiples say what they mean.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { printScenario } from '../../grammar/print.js';

const H = 'scenario "t"\nbuf = mmap 4p rw private anon\n';
const warnings = (body: string): [string, number | undefined, number | undefined][] =>
  compileSource(H + body, 't.mls').messages.map((m) => [m.id, m.location?.line, m.location?.column]);

t.test('a bare small number in a size or byte counter warns, at the number', async (t) => {
  t.same(warnings('x = mmap 4 rw private anon\n'), [['mls/no-unit', 3, 10]]);
  t.same(warnings('expect locked_vm == 4\n'), [['mls/no-unit', 3, 21]]);
  t.same(warnings('expect buf rss == 100, vmas == 1\n'), [['mls/no-unit', 3, 19]], 'a count is not a size');
  t.same(warnings('mlock buf + 100 1\n'), [['mls/no-unit', 3, 17]], 'the length, not the offset');
  t.same(warnings('setrlimit memlock 8\n'), [['mls/no-unit', 3, 19]]);
  t.same(warnings('file f 10\nshmget s 10\ngrow_stack 10\n'), [['mls/no-unit', 3, 8], ['mls/no-unit', 4, 10], ['mls/no-unit', 5, 12]]);
  const m = compileSource(H + 'x = mmap 4 rw private anon\n', 't.mls');
  t.ok(m.scenario, 'a warning keeps the scenario');
  t.equal(m.messages[0]?.location?.suggestion, '4p');
});

t.test('units, B, hex, zero and page multiples do not warn', async (t) => {
  for (const body of ['x = mmap 4p rw private anon\n', 'mlock buf + 100 1B\n', 'mlock buf 0x10\n', 'expect locked_vm == 0\n',
    'expect locked_vm == 8192\n', 'mlock buf 16kB\n', 'mlock buf 4096 + 1\n', 'x = mmap 4 + 0 rw private anon\n']) {
    t.same(warnings(body), [], body.trim());
  }
});

t.test('printScenario writes sub-page sizes with B, so its output compiles without warnings', async (t) => {
  const r = compileSource(H + 'mlock buf + 100 1B\nexpect locked_vm == 100B\nsetrlimit memlock 8B\n', 't.mls');
  const text = printScenario(r.scenario!);
  t.match(text, /mlock buf \+ 100 1B/);
  t.match(text, /locked_vm == 100B/);
  t.same(compileSource(text, 'p.mls').messages, []);
});
