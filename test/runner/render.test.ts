import t from 'tap';
import { colorEnabled, makeStyle, plain, stripAnsi } from '../../runner/render/style.js';
import { renderMessage } from '../../runner/render/message.js';
import { formatBytes, formatOffset } from '../../runner/render/values.js';
import { residentMap } from '../../runner/render/resident-map.js';
import { closest } from '../../runner/suggest.js';
import type { Message } from '../../schema/generated/types.js';

const msg: Message = {
  id: 'mls/unknown-region', severity: 'error', text: 'unknown region "bfu"',
  location: { file: 'a.mls', line: 3, column: 7, length: 3, lineText: '\tmlock bfu 4p', suggestion: 'buf' },
  notes: [{ text: 'regions are bound by mmap, mremap and memfd_secret' }],
};

t.test('esbuild-style rendering: location, severity word, id, source line, caret, suggestion, notes', async (t) => {
  const out = renderMessage(msg, plain);
  t.equal(out, [
    'a.mls:3:7: error: unknown region "bfu" [mls/unknown-region]',
    '  3 │ \tmlock bfu 4p',
    '    ╵ \t     ^^^',
    '      \t     buf',
    "  did you mean 'buf'?",
    '  note: regions are bound by mmap, mremap and memfd_secret',
    '',
  ].join('\n'), 'tabs are kept so the caret lines up');
});

t.test('a whole-file message has no code frame', async (t) => {
  const out = renderMessage({ id: 'run/timeout', severity: 'error', text: 'timed out', location: { file: 'a.mls', line: 1, column: 1, length: 0 }, notes: [] });
  t.equal(out, 'a.mls:1:1: error: timed out [run/timeout]\n');
});

t.test('colour: flags, FORCE_COLOR beats NO_COLOR, TTY otherwise; never the only signal', async (t) => {
  t.equal(colorEnabled({ isTTY: true, env: {} }), true);
  t.equal(colorEnabled({ isTTY: false, env: {} }), false);
  t.equal(colorEnabled({ isTTY: true, env: { NO_COLOR: '1' } }), false);
  t.equal(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '1' } }), true);
  t.equal(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '0' } }), false);
  t.equal(colorEnabled({ isTTY: true, env: { NO_COLOR: '1', FORCE_COLOR: '1' } }), true);
  t.equal(colorEnabled({ isTTY: true, env: {}, flag: false }), false);
  t.equal(colorEnabled({ isTTY: false, env: { NO_COLOR: '1' }, flag: true }), true);
  const coloured = renderMessage(msg, makeStyle(true));
  t.match(coloured, /\u001b\[31m/);
  t.equal(stripAnsi(coloured), renderMessage(msg, plain), 'same words with and without colour');
});

t.test('values in units', async (t) => {
  t.equal(formatBytes(65536), '16p (64 kB)');
  t.equal(formatBytes(0), '0');
  t.equal(formatBytes(100), '100 B');
  t.equal(formatBytes(5000), '5000 B (4.9 kB)');
  t.equal(formatBytes(2 ** 30), '262144p (1024 MB)');
  t.equal(formatOffset(-4096), '-1p');
  t.equal(residentMap([[0, 2], [5, 6]], 7), '##...#.');
  t.equal(closest('filtr', ['filter', 'fuzz', 'kernel']), 'filter');
  t.equal(closest('zzzz', ['filter']), undefined);
});
