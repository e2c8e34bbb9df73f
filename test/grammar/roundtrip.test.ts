// printScenario: compiling the printed text gives the same IR (apart from
// locations, hash and file). formatSource: canonical, idempotent, keeps comments.
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { formatSource } from '../../grammar/format.js';
import { printScenario } from '../../grammar/print.js';
import { examplesDir, schemaErrors, withoutLocations } from './helpers.js';

const fixture = new URL('./fixtures/all-statements.mls', import.meta.url);
const sources: [string, string][] = [
  ['all-statements.mls', readFileSync(fixture, 'utf8')],
  ...readdirSync(examplesDir)
    .filter((f) => f.endsWith('.mls'))
    .map((f): [string, string] => [f, readFileSync(examplesDir + f, 'utf8')]),
];

t.test('examples and the fixture compile cleanly and validate', async (t) => {
  t.ok(sources.length >= 6, 'examples present');
  for (const [name, text] of sources) {
    const r = compileSource(text, name);
    t.same(r.messages, [], name);
    if (r.scenario) t.same(schemaErrors(r.scenario), [], `${name}: schema`);
  }
});

t.test('printer round trip', async (t) => {
  for (const [name, text] of sources) {
    const a = compileSource(text, name).scenario;
    if (!a) {
      t.fail(`${name} does not compile`);
      continue;
    }
    const printed = printScenario(a);
    const b = compileSource(printed, name);
    t.same(b.messages, [], `${name}: printed text compiles`);
    t.same(b.scenario && withoutLocations(b.scenario), withoutLocations(a), `${name}: same IR`);
    t.equal(b.scenario && printScenario(b.scenario), printed, `${name}: printing is a fixed point`);
  }
});

t.test('printer splits an expect where region carry-over would change its meaning', async (t) => {
  const a = compileSource('scenario "t"\nbuf = mmap 1p rw private anon\nexpect buf rss == 0\nexpect rss > 0\n', 't.mls').scenario!;
  const merged = { ...a, steps: [a.steps[0]!, { ...a.steps[1]!, checks: [...(a.steps[1] as { checks: never[] }).checks, ...(a.steps[2] as { checks: never[] }).checks] }] };
  const b = compileSource(printScenario(merged as typeof a), 't.mls').scenario!;
  const checks = b.steps.flatMap((s) => (s.op === 'expect' ? s.checks.map((c) => c.region ?? 'process') : []));
  t.same(checks, ['buf', 'process']);
});

t.test('formatter: examples are already formatted; output is idempotent', async (t) => {
  for (const [name, text] of sources) {
    const f = formatSource(text, name);
    t.same(f.messages, [], name);
    if (name !== 'all-statements.mls') t.equal(f.text, text, `${name} is canonical`);
    t.equal(formatSource(f.text ?? '', name).text, f.text, `${name}: idempotent`);
    t.same(withoutLocations(compileSource(f.text ?? '', name).scenario!), withoutLocations(compileSource(text, name).scenario!), `${name}: same IR`);
  }
});

t.test('formatter normalises layout and keeps comments', async (t) => {
  const messy = '\n\n# head\r\nscenario   "x"   # name\r\n\r\n\r\n\tbuf=mmap 4p rw private anon\nmlock buf+1p  1p  # a\nmunlock buf 1p # bb\nin main {\nmlock2 buf onfault\n      # inside\n}\nexpect buf layout==[0,1p) rw- lo|[1p, 4p) rw-\n\n\n';
  const want =
    '# head\nscenario "x"  # name\n\nbuf = mmap 4p rw private anon\nmlock buf + 1p 1p  # a\nmunlock buf 1p     # bb\nin main {\n  mlock2 buf onfault\n  # inside\n}\nexpect buf layout == [0, 1p) rw- lo | [1p, 4p) rw-\n';
  const f = formatSource(messy, 'm.mls');
  t.equal(f.text, want);
  t.equal(formatSource(want, 'm.mls').text, want, 'idempotent');
});

t.test('formatter refuses files with syntax errors', async (t) => {
  const f = formatSource('scenario "x"\nmlock buf 4p 5p\n', 'e.mls');
  t.equal(f.text, undefined);
  t.equal(f.messages[0]?.id, 'mls/parse');
});
