// Hover text comes from SPEC.md: every statement, header, mmap flag and field
// the grammar and names.ts know must have SPEC text, so adding one without
// documenting it fails here.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { MMAP_FLAG_WORDS } from '../../grammar/names.js';
import { SPEC_PART_I } from '../../lsp/generated/spec.js';
import { specIndex } from '../../lsp/hover.js';
import { describe, indexSpec, lineKeyword } from '../../lsp/spec-text.js';
import { ALL_KEYWORDS, FIELDS, HEADER_KEYWORDS, STATEMENT_KEYWORDS } from '../../lsp/vocabulary.js';

t.test('the embedded Part I is the current SPEC.md (run `npm run build` after editing it)', async (t) => {
  const spec = readFileSync(new URL('../../SPEC.md', import.meta.url), 'utf8');
  t.equal(SPEC_PART_I, spec.slice(spec.indexOf('# Part I'), spec.indexOf('# Part II')));
});

t.test('keywords are read from the grammar', async (t) => {
  for (const h of ['scenario', 'about', 'tags', 'kernel', 'requires', 'image', 'max_map_count']) t.ok(HEADER_KEYWORDS.includes(h), h);
  t.notOk(HEADER_KEYWORDS.includes('mmap') || STATEMENT_KEYWORDS.includes('scenario') || STATEMENT_KEYWORDS.includes('in'));
  for (const w of ['mmap', 'mremap', 'fork', 'munmap', 'mlock', 'unpin', 'mlockall', 'shmctl', 'exit', 'expect']) t.ok(STATEMENT_KEYWORDS.includes(w), w);
  t.notOk(STATEMENT_KEYWORDS.includes('fixed'), 'argument keywords are not statements');
  t.ok(ALL_KEYWORDS.includes('fixed') && ALL_KEYWORDS.includes('hard'));
});

t.test('every statement has its SPEC table row and examples', async (t) => {
  const index = specIndex();
  for (const s of [...STATEMENT_KEYWORDS, 'in']) {
    const text = describe(index, s, s);
    t.match(text, new RegExp(`\\| \`${s}\` \\| \`[^|]*${s}`), `${s}: row with its syntax`);
  }
  t.match(describe(index, 'mlock', 'mlock'), /SPEC\.md §3\.4 Calls/);
  t.match(describe(index, 'expect', 'expect'), /^SPEC\.md §3\.6 Expectations/, 'home section from the row\'s § reference');
});

t.test('headers, flags and fields', async (t) => {
  const index = specIndex();
  for (const h of HEADER_KEYWORDS) t.match(describe(index, h, h), new RegExp(`\`\`\`mls\\n${h} `), `${h}: its §2 example line`);
  for (const f of [...MMAP_FLAG_WORDS, 'fixed', 'fixed_noreplace', 'at', 'flags']) {
    t.match(describe(index, f, 'mmap'), new RegExp(`^SPEC\\.md §3\\.3 [^\\n]*\\n\\n\\| flag \\| meaning \\|[\\s\\S]*\\| \`${f}`), `mmap ${f}`);
  }
  for (const f of FIELDS) t.match(describe(index, f, 'expect'), new RegExp(`^SPEC\\.md §3\\.6 [\\s\\S]*\\| \`${f}\` \\| (process|region)`), `field ${f}`);
  t.match(describe(index, 'willneed', 'madvise'), /madvise buf 4p dontneed +# normal 0 .* willneed 3 .* guard_remove 103/, 'advice: the continued comment');
  t.match(describe(index, 'zero_page', 'mlock'), /\| `zero_page` \| `on` `off` \|/, 'a setting anywhere: its §2 row');
  t.equal(describe(index, 'nonsense', 'mlock'), undefined);
});

t.test('the index on its own', async (t) => {
  const index = indexSpec('## 9 X\n\n| a | b |\n|---|---|\n| `p \\| q` | one \\| two |\n\n```\nx = mmap 1p  # c1\n            # c2\n```\n');
  t.same(index.rows.get('p')?.[0]?.cells, ['`p | q`', 'one | two'], 'escaped pipes stay in their cell');
  t.same(index.examples, [{ section: '9 X', code: 'x = mmap 1p', comment: 'c1 c2', keyword: 'mmap' }]);
  t.equal(lineKeyword('in kid: exit'), 'exit');
  t.equal(lineKeyword('  big = mremap buf'), 'mremap');
});
