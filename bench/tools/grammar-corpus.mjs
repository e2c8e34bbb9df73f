#!/usr/bin/env node
// Grammar equivalence corpus (not a bench: bench/run.mjs skips this folder).
// Compiles every .mls file of the repo and ~65,000 mutated lines (truncated,
// dropped, inserted tokens, blanks, other numbers) and writes one JSON line per input (IR +
// every diagnostic). Run it before and after a parser change and `cmp` the two
// files: performance work on the grammar must not change a single byte.
//   node bench/tools/grammar-corpus.mjs /tmp/before.txt   (needs npm run build)
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const { compileSource } = await import(new URL('../../dist/grammar/compile.js', import.meta.url).href);
const root = fileURLToPath(new URL('../..', import.meta.url));
const files = execSync(`find "${root}" -name "*.mls" -not -path "*/node_modules/*" | sort`, { encoding: 'utf8' }).trim().split('\n');
const out = [];
const lines = new Set();
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  out.push(JSON.stringify(compileSource(text, f)));
  for (const l of text.split('\n')) lines.add(l);
}
// mutations: truncate at each token, drop a token, duplicate a token, insert junk
const junk = ['=', '=>', ',', '{', '}', ':', 'on', 'in', 'x', '4p', '"s"', '-', '+', '|', '[', ')', 'expect', 'mlock', '0x', '1.2', '==', 'on linux-6.18', '#c'];
let seed = 1; const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const muts = new Set();
for (const l of lines) {
  const toks = l.split(/(\s+)/);
  for (let i = 0; i <= toks.length; i++) muts.add(toks.slice(0, i).join(''));
  for (let i = 0; i < toks.length; i++) { const t = [...toks]; t.splice(i, 1); muts.add(t.join('')); }
  for (let k = 0; k < 6; k++) { const t = [...toks]; t.splice(rnd(t.length + 1), 0, junk[rnd(junk.length)]); muts.add(t.join(' ')); }
  for (let k = 0; k < 3; k++) { const t = [...toks]; t.splice(rnd(t.length + 1), 0, junk[rnd(junk.length)]); muts.add(t.join('')); }
  muts.add('  ' + l); muts.add(l + '  '); muts.add(l.replace(/ /g, '\t'));
  // other numbers, same and other lengths (lines of one shape share a parse: grammar/line-shape.ts)
  for (const f of [(d) => d.replace(/[0-9]/g, (c) => String((+c + 3) % 10)), (d) => '0'.repeat(d.length), (d) => '9'.repeat(d.length), () => '0', () => '7', () => '12', () => '99999999999999999999']) {
    muts.add(l.replace(/(?<![A-Za-z0-9_])[0-9]+/g, f));
  }
  muts.add(l.replace(/[0-9]/g, (c) => String((+c + 3) % 10))); // digits of names too (m1 -> m4, mlock2 -> mlock5)
}
const extra = ['', ' ', '}', 'in kid {', 'in kid: mlock buf', 'scenario = mmap 4p rw private anon', 'expect = mmap 4p rw private anon', 'tags = mlock x', 'in = fork', 'kernel >= 4.4 linux-6.18', 'mlock2 = mmap 1p rw private anon', 'exit => ok', 'fork'];
for (const e of extra) muts.add(e);
const prefix = 'scenario "m"\nbuf = mmap 4p rw private anon\n';
for (const m of muts) {
  out.push(JSON.stringify(compileSource(prefix + m + '\n', 'm.mls')));
  out.push(JSON.stringify(compileSource(m + '\n', 'm.mls')));
}
writeFileSync(process.argv[2], out.join('\n') + '\n');
console.log(files.length, 'files', muts.size, 'mutated lines', out.length, 'outputs');
