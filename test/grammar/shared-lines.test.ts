// A big file's parse holds one AST per distinct line, not a copy per line
// (issue 16 finding 5: a 5 MB check held a ~1.7 kB copy of every line until it
// was lowered, and half its time was GC moving them). Counted in objects, so
// the property is deterministic; the timing is bench/big-inputs.mjs's.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { Diagnostics } from '../../grammar/diagnostics.js';
import { parseSource, sourceLines } from '../../grammar/parse.js';
import { statementOf } from '../../grammar/restamp.js';

const BODY = ['mlock buf 1p', 'munlock buf 1p', 'expect locked_vm == 0, buf rss == 1p'];
const file = (reps: number): string => ['scenario "big"', 'buf = mmap 4p rw private anon', ...Array.from({ length: reps }, () => BODY).flat()].join('\n') + '\n';

function parse(text: string) {
  const d = new Diagnostics('big.mls', sourceLines(text));
  return { ...parseSource(text, d), d };
}

/** Distinct objects and arrays reachable from `root` (strings, numbers are not counted). */
function objects(root: unknown): number {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    for (const k in v) stack.push((v as Record<string, unknown>)[k]);
  }
  return seen.size;
}

t.test('the parse grows by one small object a statement line', async (t) => {
  const { ast: a1 } = parse(file(1000));
  const { ast: a2 } = parse(file(2000));
  const grown = objects({ ...a2, lines: [] }) - objects({ ...a1, lines: [] });
  t.equal(grown, 3000, '3,000 more lines add 3,000 references and no copy of their AST');
  const shared = new Set(a2.statements.map((s) => s.shared));
  t.equal(shared.size, 4, 'one AST per distinct line');
});

t.test('lines that differ only in their numbers share one AST, read at their line when used', async (t) => {
  // Pairs from `from`: five-digit numbers throughout, so every file has the same two shapes and no line twice.
  const numbered = (from: number, n: number): string =>
    ['scenario "shapes"', 'buf = mmap 1G rw private anon', ...Array.from({ length: n }, (_, k) => from + k).map((i) => [`mlock buf + ${i}p ${1 + (i % 7)}p`, `expect locked_vm <= ${i + 9}p`]).flat()].join('\n') + '\n';
  parse(numbered(30_000, 5)); // the shapes are known (the caches are process-wide)
  const { ast: a1 } = parse(numbered(10_000, 2000));
  const { ast: a2 } = parse(numbered(20_000, 3000));
  const grown = objects({ ...a2, lines: [] }) - objects({ ...a1, lines: [] });
  t.equal(grown, 4000, '2,000 more lines add a reference and a note of where their numbers are, each');
  t.equal(new Set(a2.statements.slice(1).map((s) => s.shared)).size, 2, 'one AST a shape, not one a line');
  const last = statementOf(a2.statements[a2.statements.length - 1]!);
  t.same([last.action.span.line, JSON.stringify(last.action).includes('"digits":"23008"')], [6002, true], 'the last line reads its own numbers');
});

t.test('each statement is at its own line, in its block, and a copy', async (t) => {
  const { ast, lineAt } = parse('scenario "b"\nbuf = mmap 4p rw private anon\nkid = fork\nin kid {\nmlock buf 1p\n}\nmlock buf 1p\n');
  const [inBlock, outside] = ast.statements.filter((s) => s.shared.action.kind === 'call' && s.shared.action.call.op === 'mlock');
  t.equal(inBlock!.shared, outside!.shared, 'identical lines share one AST');
  const a = statementOf(inBlock!);
  const b = statementOf(outside!);
  t.same([a.action.span.line, a.proc?.text, b.action.span.line, b.proc], [5, 'kid', 7, undefined]);
  a.action.span.column = 99;
  t.equal(statementOf(inBlock!).action.span.column, 1, 'a change to a copy does not reach the shared AST');
  const l = lineAt(4);
  t.same(l?.kind === 'stmt' ? [l.stmt.action.span.line, l.stmt.proc?.text] : l, [5, 'kid'], 'lineAt (the LSP, the formatter) sees the same');
  t.equal(lineAt(5)?.kind, 'close');
  const last = lineAt(6);
  t.same(last?.kind === 'stmt' ? [last.stmt.action.span.line, last.stmt.proc] : last, [7, undefined]);
});

t.test('the IR of a big repeated file points every step and check at its own line', async (t) => {
  const r = compileSource(file(3000), 'big.mls');
  t.same(r.messages, []);
  const steps = r.scenario!.steps;
  t.equal(steps.length, 1 + 9000);
  t.ok(steps.every((s, i) => s.loc.line === i + 2), 'step i at line i + 2');
  const last = steps[steps.length - 1]!;
  t.same(last.op === 'expect' ? last.checks.map((c) => [c.loc.line, c.loc.column]) : [], [[9002, 8], [9002, 24]]);
});
