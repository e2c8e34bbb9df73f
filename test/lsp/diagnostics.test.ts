// Compiler messages → LSP diagnostics and quick fixes, for the shapes the
// compiler can produce (notes with and without places, whole-file messages).
import t from 'tap';
import { fixFor, toDiagnostic } from '../../lsp/diagnostics.js';

t.test('notes with a place become related information; others follow the text', async (t) => {
  const d = toDiagnostic({
    id: 'mls/duplicate-header', severity: 'warning', text: 'duplicate',
    location: { file: '/w/a.mls', line: 3, column: 5, length: 4, lineText: 'x' },
    notes: [
      { text: 'first here', location: { file: '/w/a.mls', line: 1, column: 1, length: 8 } },
      { text: 'and there', location: { file: '/w/b c.mls', line: 2, column: 2 } },
      { text: 'plain note' },
    ],
  }, 'untitled:a', '/w/a.mls');
  t.same(d.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 8 } });
  t.equal(d.severity, 2);
  t.equal(d.message, 'duplicate\nnote: plain note');
  t.same(d.relatedInformation, [
    { location: { uri: 'untitled:a', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 8 } } }, message: 'first here' },
    { location: { uri: 'file:///w/b%20c.mls', range: { start: { line: 1, character: 1 }, end: { line: 1, character: 2 } } }, message: 'and there' },
  ]);
  t.equal(fixFor(d, 'untitled:a'), undefined, 'no suggestion, no fix');
});

t.test('a whole-file message sits at the start; a zero-length span still shows', async (t) => {
  const d = toDiagnostic({ id: 'mls/empty-file', severity: 'error', text: 'empty file', notes: [] }, 'file:///a.mls', '/a.mls');
  t.same(d.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  const z = toDiagnostic({ id: 'mls/parse', severity: 'error', text: 'x', location: { file: '/a.mls', line: 2, column: 7, length: 0 }, notes: [] }, 'file:///a.mls', '/a.mls');
  t.same(z.range, { start: { line: 1, character: 6 }, end: { line: 1, character: 7 } });
});

t.test('a suggestion is a preferred quick fix over the span', async (t) => {
  const d = toDiagnostic({
    id: 'mls/bad-unit', severity: 'error', text: 'unknown size unit "k"',
    location: { file: '/a.mls', line: 2, column: 13, length: 1, suggestion: 'K' }, notes: [{ text: 'did you mean "K"?' }],
  }, 'file:///a.mls', '/a.mls');
  const fix = fixFor(d, 'file:///a.mls');
  t.equal(fix?.isPreferred, true);
  t.same(fix?.edit?.changes?.['file:///a.mls'], [{ range: { start: { line: 1, character: 12 }, end: { line: 1, character: 13 } }, newText: 'K' }]);
});
