// The parser's speed paths (first-word start rules, the process-wide line
// cache) give the same AST and diagnostics as matching `Line`; these are the
// cases where they could differ. (The broad equivalence check is a corpus
// comparison run when the grammar changes: bench/tools/grammar-corpus.mjs.)
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { startRule } from '../../grammar/match-line.js';

t.test('a line repeated after a block does not inherit the block process', async (t) => {
  const src = 'scenario "b"\nbuf = mmap 4p rw private anon\nkid = fork\nin kid {\nmlock buf 1p\n}\nmlock buf 1p\n';
  const s = compileSource(src, 'b.mls').scenario!;
  const locks = s.steps.filter((st) => st.op === 'mlock');
  t.same(locks.map((st) => st.proc), ['kid', 'main']);
  // And again in another file: the cache is shared across files.
  const s2 = compileSource('scenario "c"\nbuf = mmap 4p rw private anon\nmlock buf 1p\n', 'c.mls').scenario!;
  t.same(s2.steps.filter((st) => st.op === 'mlock').map((st) => st.proc), ['main']);
});

t.test('start rules from the first word', async (t) => {
  t.equal(startRule('scenario "x"'), 'Header');
  t.equal(startRule('  expect locked_vm == 0'), 'Expect');
  t.equal(startRule('mlock buf 1p'), 'PlainLine');
  t.equal(startRule('mlock = mmap 1p rw private anon'), 'Action_call');
  t.equal(startRule('buf = mmap 1p rw private anon'), 'Action_call');
  t.equal(startRule('in kid: mlock buf'), 'Line');
  t.equal(startRule('}'), 'Line');
  t.equal(startRule(''), 'Line');
});

t.test('keywords used as names fall back to Line and parse as before', async (t) => {
  for (const name of ['scenario', 'expect', 'mlock', 'tags']) {
    const r = compileSource(`scenario "k"\n${name} = mmap 4p rw private anon\nmunmap ${name}\n`, 'k.mls');
    t.same(r.messages.filter((m) => m.severity === 'error'), [], name);
    t.equal(r.scenario?.steps[0]?.op, 'mmap', name);
  }
});

t.test('spans exclude blanks around the statement', async (t) => {
  const r = compileSource('scenario "s"\nbuf = mmap 4p rw private anon\n\t mlock buf 1p  # c\n', 's.mls');
  const loc = r.scenario!.steps[1]!.loc;
  t.same([loc.line, loc.column, loc.endColumn], [3, 3, 15]);
});

t.test('a bad line reports what Line expects, wherever it starts', async (t) => {
  const a = compileSource('scenario "e"\nmlock\n', 'e.mls').messages[0]!;
  t.equal(a.id, 'mls/parse');
  t.match(a.text, /^`mlock`: unexpected end of line$/);
  t.same([a.location?.line, a.location?.column], [2, 6]);
});
