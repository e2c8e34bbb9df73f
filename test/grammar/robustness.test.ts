// Hostile input: every case gives a clear diagnostic or a documented meaning,
// never a throw or a hang. The fuzz part mutates valid files with fast-check.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { compileFile, compileSource } from '../../grammar/compile.js';
import { formatSource } from '../../grammar/format.js';
import { examplesDir } from './helpers.js';
import { scratchDir } from '../support/scratch.js';

const ids = (text: string): string[] => compileSource(text, 'r.mls').messages.map((m) => m.id);

t.test('documented edge cases', async (t) => {
  t.same(ids(''), ['mls/empty-file']);
  t.same(ids('\x00\x01\x02binary'), ['mls/binary']);
  t.same(ids('scenario "x"\r\nmlock heap\r\n'), [], 'CRLF');
  t.same(ids('scenario "x"\rmlock heap\n'), ['mls/parse'], 'a lone CR is whitespace, so two statements share a line');
  t.same(ids('scenario\t"x"\n\tmlock\theap\n'), [], 'tabs');
  t.same(ids('scenario "ünïcödé ✓"  # comment ✓\n'), [], 'non-ASCII in strings and comments');
  t.same(ids('scenario "x"\nmlock héap\n'), ['mls/parse'], 'non-ASCII elsewhere');
  t.same(ids('scenario "x\n'), ['mls/unterminated-string']);
  t.same(ids('scenario "x"\nmlock heap 1' + '0'.repeat(400) + '\n'), ['mls/number-too-large']);
  t.same(ids('scenario "x"\nmlock heap -4096\n'), ['mls/negative-length']);
  t.ok(compileSource('scenario "x"\nmlock heap -4096\n', 'r.mls').scenario, 'a warning keeps the scenario');
  t.same(ids('scenario "x"\n' + 'mlock heap '.repeat(5000) + '\n'), ['mls/parse'], 'a very long line');
  t.same(ids('scenario "x"\n' + '('.repeat(10000) + '\n'), ['mls/parse'], 'deep nesting is not recursive');
  t.same(ids('scenario "x"\nin a {\nin b {\n}\n'), ['mls/parse'], 'blocks do not nest');
});

t.test('compileFile', async (t) => {
  const dir = scratchDir('mls-grammar-');
  writeFileSync(join(dir, 'bad.mls'), Buffer.from([0x73, 0xff, 0xfe, 0x0a]));
  writeFileSync(join(dir, 'ok.mls'), 'scenario "x"\n');
  t.same((await compileFile(join(dir, 'bad.mls'))).messages.map((m) => m.id), ['mls/binary']);
  t.same((await compileFile(join(dir, 'missing.mls'))).messages.map((m) => m.id), ['mls/read']);
  const ok = await compileFile(join(dir, 'ok.mls'));
  t.equal(ok.scenario?.file, join(dir, 'ok.mls'));
});

t.test('a 1 MB file compiles (completes; timing lives in bench/grammar-compile.mjs)', async (t) => {
  // Generated files repeat statements; identical lines are matched once.
  const body = readFileSync(new URL('./fixtures/all-statements.mls', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => /^(mlock|munlock|write|read|madvise|expect locked_vm|mprotect buf)/.test(l))
    .join('\n');
  let text = 'scenario "big"\nbuf = mmap 1G rw private anon\n';
  while (text.length < 1 << 20) text += body + '\n';
  const r = compileSource(text, 'big.mls');
  t.same(r.messages, []);
  t.ok((r.scenario?.steps.length ?? 0) > 20000, `${r.scenario?.steps.length} steps`);
});

const corpus = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.mls'))
  .map((f) => readFileSync(examplesDir + f, 'utf8'));
corpus.push(readFileSync(new URL('./fixtures/all-statements.mls', import.meta.url), 'utf8'));
const TOKENS = ['=>', '->', '{', '}', ':', ',', '"', '#', '+', '-', '[', ')', '|', 'in', 'mlock', 'mmap', 'expect', 'SIZE_MAX', '99999999999999999999999', '0x', '4kb', 'buf', 'kid', 'exit', 'fork', '\0', '\r', '\t', 'é', '\ufffd'];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('shuffle' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('token' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : ('at' in m ? m.at % text.length : 0);
  switch (m.kind) {
    case 'flip':
      return text.slice(0, at) + String.fromCharCode(m.byte) + text.slice(at + 1);
    case 'shuffle': {
      const lines = text.split('\n');
      const a = m.a % lines.length;
      const b = m.b % lines.length;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, at);
    case 'token':
      return text.slice(0, at) + m.token + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.len);
  }
}

t.test('fuzz: mutated files never throw and only return Messages', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: 6 }), (base, ms) => {
      const text = ms.reduce(mutate, base);
      const r = compileSource(text, 'fuzz.mls');
      const errors = r.messages.filter((m) => m.severity === 'error');
      if (r.messages.some((m) => m.id === 'mls/internal')) throw new Error(`internal error for ${JSON.stringify(text)}: ${r.messages[0]?.text}`);
      if ((errors.length === 0) !== (r.scenario !== undefined)) throw new Error('scenario present iff no error');
      for (const m of r.messages) {
        if (!/^[a-z]+\/[a-z0-9-]+$/.test(m.id) || typeof m.text !== 'string' || !Array.isArray(m.notes)) throw new Error(`bad message ${JSON.stringify(m)}`);
        if (m.location && (m.location.line < 1 || m.location.column < 1)) throw new Error(`bad location ${JSON.stringify(m)}`);
      }
      const f = formatSource(text, 'fuzz.mls');
      if (f.messages.some((m) => m.id === 'mls/internal')) throw new Error(`formatter internal error for ${JSON.stringify(text)}`);
      if (f.text !== undefined && formatSource(f.text, 'fuzz.mls').text !== f.text) throw new Error(`formatter not idempotent for ${JSON.stringify(text)}`);
    }),
    { numRuns: 120, seed: 20261121 },
  );
  t.pass('120 mutated files');
});
