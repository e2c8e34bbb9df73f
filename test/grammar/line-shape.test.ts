// Lines of one shape (the same code but for the digits of numbers) share a parse
// (grammar/line-shape.ts). That is sound only while the grammar tells digits
// apart nowhere but in `mlock2` and radix prefixes, and while toAst reads digits
// only as text: both are checked here, the second against a fresh match of
// every numbered line of the repo's .mls files with other numbers.
import t from 'tap';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { knownShape, learnShape, lineOfShape, shapeOf } from '../../grammar/line-shape.js';
import { matchLineFast } from '../../grammar/match-line.js';
import { splitLine } from '../../grammar/parse.js';
import { restamp } from '../../grammar/restamp.js';
import { lineToAst } from '../../grammar/to-ast.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

t.test('the grammar distinguishes digits only in mlock2, 0x/0b and binary digits', async (t) => {
  const ohm = readFileSync(new URL('../../grammar/mls.ohm', import.meta.url), 'utf8').replace(/\/\/.*$/gm, '');
  const ranges = [...ohm.matchAll(/"([^"]*)"\s*\.\.\s*"([^"]*)"/g)].filter((m) => /[0-9]/.test(m[1]! + m[2]!)).map((m) => `${m[1]}..${m[2]}`);
  t.same([...new Set(ranges)], ['0..9'], 'every digit range is the whole class');
  const rest = ohm.replace(/"0"\s*\.\.\s*"9"/g, 'DIGIT');
  const terminals = [...rest.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!).filter((s) => /[0-9]/.test(s));
  t.same(terminals.sort(), ['0', '0B', '0X', '0b', '0x', '1', 'mlock2'], 'terminals holding a digit, each once');
  t.match(rest, /\("0b" \| "0B"\) \("0" \| "1"\)\+/, '"0" and "1" are a binary literal\'s digits');
});

t.test('shapes abstract the digits of decimal numbers and names, not of mlock2 or radix literals', async (t) => {
  t.equal(shapeOf('mlock buf + 16p 4p'), 'mlock buf + \0\0p \0p');
  t.equal(shapeOf('m12 = mmap 0x1000 rw private anon'), 'm\0\0 = mmap 0x1000 rw private anon');
  t.equal(shapeOf('mlock2 buf 0b101 onfault'), undefined);
  t.equal(shapeOf('mlock2 m1 0x10 onfault'), 'mlock2 m\0 0x10 onfault');
  t.equal(shapeOf('mlock3 = mmap 0x10 rw private anon'), 'mlock\0 = mmap 0x10 rw private anon', 'a name, not the keyword');
  t.equal(shapeOf('expect locked_vm == 0'), 'expect locked_vm == \0');
  t.equal(shapeOf('kernel >= 5.10'), 'kernel >= \0.\0\0');
  t.equal(shapeOf('mlock buf 1p => ok, ENOMEM on linux-4.4'), 'mlock buf \0p => ok, ENOMEM on linux-\0.\0');
});

/** Every numbered line of the repo's .mls files. */
function numberedLines(): string[] {
  const files = execSync(`git ls-files '*.mls'`, { cwd: root, encoding: 'utf8' }).trim().split('\n');
  const out = new Set<string>();
  for (const f of files) for (const l of readFileSync(`${root}/${f}`, 'utf8').split('\n')) if (shapeOf(splitLine(l).code) !== undefined) out.add(splitLine(l).code);
  return [...out];
}

/** The line with other digits in its numbers and names (not in `mlock2` or 0x/0b literals). */
const variants = (code: string): string[] =>
  [(d: string) => String((+d + 3) % 10), () => '0', () => '9'].map((f) =>
    code.replace(/[A-Za-z_][A-Za-z0-9_]*|0[xXbB][0-9A-Za-z]*|[0-9]+/g, (tok) =>
      tok === 'mlock2' || /^0[xXbB]./.test(tok) ? tok : tok.replace(/[0-9]/g, f),
    ),
  );

t.test('a shared parse gives the AST of a fresh match, line by line', async (t) => {
  const lines = numberedLines();
  t.ok(lines.length > 300, `${lines.length} numbered lines`);
  let compared = 0;
  let templated = 0;
  for (const code of lines) {
    const first = matchLineFast(code);
    if (first.match.failed()) continue;
    const key = shapeOf(code)!;
    learnShape(key, first);
    for (const v of [code, ...variants(code)]) {
      if (shapeOf(v) !== key) continue;
      const fresh = matchLineFast(v);
      if (fresh.match.failed()) continue;
      // A grammar that matched the variant otherwise would show here as a different AST.
      const got = lineOfShape(knownShape(key)!, v);
      const shared = got.plan ? restamp(got.ast, 0, got.plan, v) : got.ast;
      if (JSON.stringify(shared) !== JSON.stringify(lineToAst(fresh, 0))) {
        t.fail(`${JSON.stringify(v)} (shape of ${JSON.stringify(code)}): shared parse differs from a fresh match`);
        return;
      }
      compared++;
    }
    if (knownShape(key)!.template) templated++;
  }
  t.ok(compared > lines.length * 3, `${compared} variants compared`);
  t.ok(templated > lines.length * 0.9, `${templated} of ${lines.length} shapes patch their AST instead of converting`);
});
