// The language features in-process, on hand-written documents and on every
// shipped scenario (no position of any of them may make a feature throw).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { glob } from 'tinyglobby';
import { analyze } from '../../lsp/analyze.js';
import { complete } from '../../lsp/completion.js';
import { hover } from '../../lsp/hover.js';
import { definition, documentSymbols } from '../../lsp/symbols.js';
import { ROOT } from '../runner/helpers.js';

const doc = (lines: string[]) => analyze(lines.join('\n') + '\n', '/tmp/x.mls');
const hoverText = (a: ReturnType<typeof analyze>, line: number, character: number) => hover(a, { line, character })?.contents.value;
const labels = (a: ReturnType<typeof analyze>, line: number, character: number) => complete(a, { line, character }).map((i) => i.label);

t.test('region hovers follow the bindings: sizes, shm segments, mremap, exec, blocks', async (t) => {
  const a = doc([
    'scenario "r"',                   // 0
    'shmget seg 8p',                  // 1
    's = shmat seg',                  // 2
    'm = memfd_secret 2M rw',         // 3
    'b = mmap 100B rw private anon',   // 4
    'b2 = mremap b 1p -> 3p maymove', // 5
    'k = fork',                       // 6
    'in k {',                         // 7
    '  exec',                         // 8
    '  read heap',                    // 9
    '}',                              // 10
    'munmap b2',                      // 11
    'mlock s',                        // 12
    'read m',                         // 13
  ]);
  t.same(a.messages, [], 'a valid scenario');
  t.match(hoverText(a, 12, 6), /region `s`: 8p \(32768 bytes\)\n\nbound on line 3 by `shmat`/, 'shmat: the segment\'s size');
  t.match(hoverText(a, 13, 5), /region `m`: 2M \(2097152 bytes\)/);
  t.match(hoverText(a, 11, 8), /region `b2`: 3p .*\n\nbound on line 6 by `mremap`/);
  t.match(hoverText(a, 5, 12), /region `b`: 100 \(100 bytes\)/, 'the source, as the mremap found it');
  const moved = doc(['scenario "m"', 'b = mmap 1p rw private anon', 'mremap b -> 2p maymove', 'mlock b']);
  t.match(hoverText(moved, 3, 6), /region `b`: length known only when it runs \(mremap on line 3\)\n\nbound on line 2 by `mmap`/, 'an mremap forgets the length, as the compiler does');
  t.match(hoverText(a, 4, 0), /region `b`: 100 \(100 bytes\)/, 'on the binding itself');
  t.match(hoverText(a, 9, 8), /built-in region `heap` of process `k`/);
  t.equal(a.procAt(9), 'k', 'a block line runs in the block\'s process');
  t.same(definition(a, { line: 5, character: 12 }), { start: { line: 4, character: 0 }, end: { line: 4, character: 1 } }, 'mremap b → b');
  t.same([...a.regionsAt(9, 'k').keys()], [], 'exec forgot the inherited names');
  t.same([...a.regionsAt(7, 'k').keys()], ['s', 'm', 'b', 'b2'], 'the child inherited them before');
  const symbols = documentSymbols(a)[0]!.children!.map((s) => s.name);
  t.same(symbols, ['seg', 's', 'm', 'b', 'b2', 'k']);
});

t.test('completion context', async (t) => {
  const a = doc(['scenario "c"', 'b = mmap 1p rw private anon', 'mlock b  # ', 'about "x ', 'c = ', 'requires ', 'madvise b 1p ', 'setrlimit ']);
  const mmap = complete(a, { line: 4, character: 4 }).find((i) => i.label === 'mmap');
  t.match((mmap?.documentation as { value: string }).value, /\| `mmap` \| `\[x =\] mmap <len>/, 'a statement item carries its SPEC row');
  t.same(labels(a, 2, 11), [], 'nothing inside a comment');
  const q = doc(['scenario "q"', 'about "a # b" # c', 'k = fork', 'in ']);
  t.same(labels(q, 1, 17), [], 'a comment after a string with # in it');
  t.equal(hoverText(q, 1, 9), undefined, 'no hover inside a string');
  t.same(labels(q, 3, 3), ['main', 'k'], 'processes after `in`');
  t.same(labels(a, 3, 9), [], 'nothing inside a string');
  t.ok(labels(a, 4, 4).includes('mmap') && !labels(a, 4, 4).includes('munmap'), 'after `name =`: only the calls that bind');
  t.ok(labels(a, 5, 9).includes('root') && labels(a, 5, 9).includes('zero_page=off'), 'requirements and settings');
  t.ok(labels(a, 6, 13).includes('willneed') && labels(a, 6, 13).includes('b'), 'advice and regions');
  const rl = labels(a, 7, 10);
  t.ok(rl.includes('memlock') && !rl.includes('b'), 'setrlimit takes no region');
  const f = doc(['scenario "f"', 'file s 4p on shm', 'file t 4p on ', 'unlink ', 'b = mmap 1p rw private anon']);
  t.same(labels(f, 2, 13), ['disk', 'tmpfs', 'shm', 'hugetlbfs'], 'after `file f <size> on`: the filesystems, not selectors');
  t.ok(labels(f, 3, 7).includes('s') && !labels(f, 3, 7).includes('b'), 'unlink: declared files, no regions');
  t.match(hoverText(f, 3, 1), /\| `unlink` \| `unlink <f>` \|/, 'unlink: its SPEC row');
});

t.test('hover words: statements in `in x:` lines, comments, process names', async (t) => {
  const a = doc(['scenario "h"', 'k = fork', 'in k: mlockall current  # lock', 'in k: exit']);
  t.match(hoverText(a, 2, 8), /\| `mlockall` \|/, 'the statement after `in k:`');
  t.match(hoverText(a, 2, 17), /mlockall current future onfault +# MCL_CURRENT 1/, 'its flag: the SPEC example that uses it');
  t.equal(hoverText(a, 2, 27), undefined, 'nothing in a comment');
  t.match(hoverText(a, 3, 3), /process `k`, forked on line 2/);
  t.match(hoverText(a, 3, 0), /\| `in` \|/, '`in` itself');
  const sizes = doc(['scenario "s"', 'b = mmap 2M rw private anon', 'mlock b + 0x10 0b11', 'mlock b 4k']);
  t.equal(hoverText(sizes, 1, 10), '`2M` = 2097152 bytes (0x200000, 512 pages)', 'a size literal\'s value');
  t.equal(hoverText(sizes, 2, 11), '`0x10` = 16 bytes (0x10)');
  t.equal(hoverText(sizes, 2, 16), '`0b11` = 3 bytes (0x3)');
  t.equal(hoverText(sizes, 3, 8), undefined, 'not for a unit that does not exist');
});

t.test('every token of every shipped scenario', async (t) => {
  const files = await glob('scenarios/**/*.mls', { cwd: ROOT, absolute: true });
  t.ok(files.length > 100, `${files.length} files`);
  let hovers = 0;
  let regionHovers = 0;
  for (const f of files) {
    const a = analyze(readFileSync(f, 'utf8'), f);
    t.equal(a.messages.filter((m) => m.severity === 'error').length, 0, f);
    documentSymbols(a);
    a.lines.forEach((line, i) => {
      // Every token start, the line's end and one character into each word.
      const stops = new Set([line.length, ...[...line.matchAll(/\S+|\w+/g)].flatMap((m) => [m.index, m.index + 1])]);
      for (const c of stops) {
        const h = hover(a, { line: i, character: c });
        if (h) hovers++;
        if (h?.contents.value.startsWith('region')) regionHovers++;
        complete(a, { line: i, character: c });
        definition(a, { line: i, character: c });
      }
    });
    for (const r of a.references) {
      if (!r.binding && !['heap', 'stack', 'vdso', 'vvar'].includes(r.name)) t.fail(`${f}:${r.span.line}: ${r.name} unresolved`);
    }
  }
  t.ok(regionHovers > 1000 && hovers > regionHovers, `${hovers} hovers, ${regionHovers} on regions`);
});
