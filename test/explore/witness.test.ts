// The search finds the seed-004 witness, and a witness becomes a .mls file that compiles back to the same
// program and passes on every profile it names, with A's and B's values told apart.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { REGISTERED } from '../../runtime/index.js';
import { PRESETS, loadAlphabet, AlphabetError } from '../../runner/explore/alphabet.js';
import { evaluate } from '../../runner/evaluation/evaluate.js';
import { runOn } from '../../runner/explore/run.js';
import { search } from '../../runner/explore/search.js';
import { witnessFile } from '../../runner/explore/witness.js';
import { withoutLocations } from '../grammar/helpers.js';

t.test('6.18 vs onfault-mremap-populates: mremap of a lock-on-fault VMA, 3 statements', async (t) => {
  const a = 'linux-6.18', b = 'linux-6.18+onfault-mremap-populates';
  const r = search({ a, b, alphabet: PRESETS['tiny']!, depth: 4, all: false });
  t.equal(r.stop, 'found');
  t.equal(r.depthCompleted, 2, 'no program of 2 statements differs');
  const w = r.witnesses[0]!;
  const f = witnessFile(w, a, b, { name: 'w', about: [], tags: ['explore'] });
  t.match(f.text, /a = mmap 1p rw private anon\nmlock2 a 1p onfault.*\nmremap a 1p -> 2p maymove\nexpect a flags has lf, lacks lf on linux-6\.18\+onfault-mremap-populates, /);
  t.match(f.text, /a rss == 0, 2p on linux-6\.18\+onfault-mremap-populates/);
  t.same(f.excluded, []);
  const compiled = compileSource(f.text, 'w.mls').scenario!;
  for (const k of REGISTERED) t.equal(evaluate(compiled, runOn(compiled, k), k).outcome, 'PASS', k);
  // The printed statements are the program that ran.
  const calls = (s: typeof compiled) => (withoutLocations(s) as typeof compiled).steps.filter((x) => x.op !== 'expect').map((x) => ({ ...x, result: undefined }));
  t.same(calls(compiled), calls(w.compared.scenario));
});

t.test('--all keeps one witness per difference and skips extensions of a differing program', async (t) => {
  const r = search({ a: 'linux-6.18', b: 'linux-6.18+posix-mlock', alphabet: PRESETS['tiny']!, depth: 3, all: true });
  t.equal(r.stop, 'depth');
  t.equal(r.depthCompleted, 3);
  const keys = r.witnesses.map((w) => w.key);
  t.equal(new Set(keys).size, keys.length, 'distinct keys');
  t.ok(keys.includes('after munlockall: mclFuture'), keys.join(' | '));
  t.ok(r.pruned.explained > 0);
  // Witnesses come in the order found, so sizes never decrease.
  const sizes = r.witnesses.map((w) => w.program.level.statements);
  t.same(sizes, [...sizes].sort((x, y) => x - y));
});

t.test('no difference: the depth is exhausted', async (t) => {
  const r = search({ a: 'linux-6.18', b: 'linux-6.18', alphabet: PRESETS['tiny']!, depth: 2, all: false });
  t.equal(r.stop, 'depth');
  t.equal(r.witnesses.length, 0);
  t.equal(r.enumerated, r.run + r.pruned.commuting + r.pruned.noop + r.pruned.explained);
});

t.test('alphabet files: presets, overrides, clear errors', async (t) => {
  const read = (text: string) => () => text;
  t.equal(loadAlphabet(undefined).name, 'lock');
  t.equal(loadAlphabet('tiny').name, 'tiny');
  const x = loadAlphabet('x.json', read('{"preset": "tiny", "mlockallFlags": [8], "fork": false}'));
  t.same([x.mlockallFlags, x.fork, x.mapPages], [[8], false, PRESETS['tiny']!.mapPages]);
  t.throws(() => loadAlphabet('x.json', read('{"mapProts": ["rwz"]}')), new AlphabetError('x.json: "mapProts" must be a list (see the preset \'full\' for the values)'));
  t.throws(() => loadAlphabet('x.json', read('{"colour": 1}')), /x\.json: unknown key "colour"/);
  t.throws(() => loadAlphabet('x.json', read('[1]')), /must be a JSON object/);
  t.throws(() => loadAlphabet('x.json', read('{')), /x\.json: not JSON/);
  t.throws(() => loadAlphabet('nope', () => { throw new Error('ENOENT'); }), /'nope' is neither a preset \(lock, tiny, full\) nor a readable file/);
});
