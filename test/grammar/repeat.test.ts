// `repeat <n> seed <s> { … }` and `random(lo..hi)` (SPEC.md §3.9): expanded at compile
// time, deterministic, bounded, diagnostics inside the body with the iteration, fmt
// round trip, record leaves the body alone. The stream is §3.7's xorshift64*: checked
// against runtime/random-pages.ts, the generator `access … random` uses on the model
// (and native/src/memaccess.c on the host).
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { formatSource } from '../../grammar/format.js';
import { printScenario } from '../../grammar/print.js';
import { randomPagesBig } from '../../runtime/random-pages.js';
import { schemaErrors } from './helpers.js';

const H = 'scenario "t"\nbuf = mmap 64p rw private anon\n';

t.test('expansion: concrete steps, iteration in loc, same seed same steps', async (t) => {
  const src = H + 'repeat 50 seed 42 {\n  mlock buf + random(0..63p) 1p\n  in main: munlock buf\n}\nexpect locked_vm == 0\n';
  const a = compileSource(src, 't.mls'), b = compileSource(src, 't.mls');
  t.same(a.messages, []);
  const s = a.scenario!;
  t.equal(s.steps.length, 1 + 100 + 1);
  t.same(schemaErrors(s), []);
  t.same(s.steps, b.scenario!.steps, 'deterministic');
  const mlocks = s.steps.filter((x) => x.op === 'mlock');
  t.same(mlocks.map((x) => x.loc.iteration), Array.from({ length: 50 }, (_, i) => i + 1));
  t.same(mlocks.map((x) => x.loc.line), Array(50).fill(4));
  // random(0..63p) = next() mod (63p + 1); randomPagesBig(pages, n, seed) yields next() mod pages.
  const want = [...randomPagesBig(63n * 4096n + 1n, 50, 42n)].map((v) => v.toString());
  t.same(mlocks.map((x) => (x.op === 'mlock' ? x.addr.offset : '')), want, 'the §3.7 stream');
  const other = compileSource(src.replace('seed 42', 'seed 43'), 't.mls').scenario!;
  t.not(JSON.stringify(other.steps.filter((x) => x.op === 'mlock').map((x) => x.op === 'mlock' && x.addr.offset)), JSON.stringify(want));
  // printScenario writes the expansion; it compiles back to the same calls.
  const again = compileSource(printScenario(s), 't.mls').scenario!;
  t.same(again.steps.map((x) => x.op === 'mlock' && x.addr.offset), s.steps.map((x) => x.op === 'mlock' && x.addr.offset));
});

t.test('a draw is one value per atom per iteration', async (t) => {
  const s = compileSource(H + 'repeat 3 seed 1 {\n  mlock buf + random(1p..8p) 1p\n  write buf + random(1p..8p)\n}\n', 't.mls').scenario!;
  const offs = s.steps.slice(1).map((x) => ('addr' in x ? BigInt(x.addr.offset) : -1n));
  const draws = [...randomPagesBig(7n * 4096n + 1n, 6, 1n)].map((v) => v + 4096n);
  t.same(offs, draws, 'two atoms, two draws each iteration, in line order');
});

t.test('diagnostics: bounds, placement, errors inside the body name the iteration', async (t) => {
  const ids = (src: string) => compileSource(H + src, 't.mls').messages.map((m) => [m.id, m.location?.line, m.location?.column, m.notes.map((n) => n.text).join('|')]);
  t.same(ids('mlock buf random(1..2)\n'), [['mls/random-outside-repeat', 3, 11, '']]);
  t.same(ids('repeat 100001 seed 1 {\n  munlock buf\n}\n'), [['mls/repeat-too-large', 3, 1, 'each iteration becomes steps of the IR; fewer iterations or a smaller body stay within the limit']]);
  t.same(ids('repeat 60000 seed 1 {\n  munlock buf\n}\nrepeat 60000 seed 1 {\n  munlock buf\n}\n').map((m) => [m[0], m[1]]), [['mls/repeat-too-large', 6]], 'the limit is per file');
  const body = ids('repeat 10 seed 3 {\n  mlock buf + random(0..70p) 1p => ok or ENOMEM\n  munmap buf + random(8p..9p) 1p\n  kid = fork\n}\n');
  t.same(body.map((m) => [m[0], m[1]]), [['mls/bad-value', 6]], 'kid exists from iteration 2 on: reported once');
  t.match(body[0]![3], /in iteration 2 of the repeat on line 3/);
  t.same(ids('repeat 2 seed 1 {\n  mlock buf random(5..4)\n}\n').map((m) => [m[0], m[1], m[2]]), [['mls/bad-value', 4, 13]]);
  t.same(ids('repeat 2 seed 1 {\n  in main {\n}\n').map((m) => m[0]), ['mls/parse']);
  t.same(ids('repeat 2 seed 1 {\n  munlock buf\n').map((m) => m[0]), ['mls/parse']);
  t.same(ids('repeat 0 seed 1 {\n  munlock buf\n}\n'), [], 'zero iterations');
  t.same(ids('repeat 2 seed 1 {\n  mlock buf 4\n}\n').map((m) => m[0]), ['mls/no-unit'], 'a warning once, not per iteration');
});

t.test('fmt keeps the block and its random atoms, indenting the body', async (t) => {
  const src = H + 'repeat  3   seed 7 {\nmlock buf + random( 0..4p ) random(1p..2p)   # r\n}\n';
  const f = formatSource(src, 't.mls').text!;
  t.equal(f, H + 'repeat 3 seed 7 {\n  mlock buf + random( 0..4p ) random(1p..2p)  # r\n}\n');
  t.equal(formatSource(f, 't.mls').text, f, 'idempotent');
});
