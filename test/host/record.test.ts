// mls record: observed values patched into the source at the parsed spans.
import t from 'tap';
import { compileSource } from '../../grammar/compile.js';
import { createHostTarget } from '../../runner/targets/host.js';
import { applyEdits, formatSize, lineDiff, recordSource } from '../../runner/record.js';

const src = `scenario "record"
requires host

p = mmap 8p rw private anon   # comment kept
mlock p + 100 1
mlock2 p 1p flags 2           # wrong on purpose
mlockall flags 8 => ok, EINVAL on < 4.4
expect locked_vm, p resident
expect p flags, vmas
expect locked_vm == 3p, 0 on linux-6.18+posix-mlock   # per-profile case kept
expect p rss == 4K
`;

t.test('without update: placeholders are filled, failing concrete expectations are kept and listed', async (t) => {
  const { scenario } = compileSource(src, 'rec.mls');
  const log = await createHostTarget().run(scenario!, { kernel: 'host', trace: false, timeoutMs: 10000 });
  const out = recordSource(src, scenario!, log);
  const lines = out.text.split('\n');
  t.equal(lines[5], 'mlock2 p 1p flags 2           # wrong on purpose', 'a failing result is kept');
  t.equal(lines[6], 'mlockall flags 8 => ok, EINVAL on < 4.4');
  t.equal(lines[7], 'expect locked_vm == 1p, p resident == 1p', 'placeholders are filled');
  t.equal(lines[9], 'expect locked_vm == 3p, 0 on linux-6.18+posix-mlock   # per-profile case kept', 'a failing value is kept');
  t.same(out.failing, ['line 6: result EINVAL', 'line 7: result EINVAL', 'line 10:8: locked_vm == 1p']);
});

t.test('with update: placeholders, failing defaults and call results are patched in place', async (t) => {
  const { scenario, messages } = compileSource(src, 'rec.mls');
  t.same(messages.filter((m) => m.severity === 'error'), []);
  const log = await createHostTarget().run(scenario!, { kernel: 'host', trace: false, timeoutMs: 10000 });
  const out = recordSource(src, scenario!, log, { update: true });
  const lines = out.text.split('\n');
  t.equal(lines[3], 'p = mmap 8p rw private anon   # comment kept');
  t.equal(lines[4], 'mlock p + 100 1');
  t.equal(lines[5], 'mlock2 p 1p flags 2 => EINVAL           # wrong on purpose');
  t.equal(lines[6], 'mlockall flags 8 => EINVAL, EINVAL on < 4.4');
  t.equal(lines[7], 'expect locked_vm == 1p, p resident == 1p');
  t.equal(lines[8], 'expect p flags lacks lf, vmas == 2');
  t.equal(lines[9], 'expect locked_vm == 1p, 0 on linux-6.18+posix-mlock   # per-profile case kept');
  t.equal(lines[10], 'expect p rss == 4K', 'a passing value keeps its spelling');
  t.same(out.notes, []);
  // The recorded file now passes on the host.
  const again = compileSource(out.text, 'rec.mls').scenario!;
  const log2 = await createHostTarget().run(again, { kernel: 'host', trace: false, timeoutMs: 10000 });
  t.equal(recordSource(out.text, again, log2).edits.length, 0, 'recording twice changes nothing');
  t.match(lineDiff('rec.mls', src, out.text), /^--- rec\.mls\n\+\+\+ rec\.mls \(recorded\)\n@@ -6 \+6 @@\n-mlock2/);
});

t.test('skipped runs record nothing', async (t) => {
  const text = 'scenario "s"\nrequires model\nexpect locked_vm\n';
  const { scenario } = compileSource(text, 's.mls');
  const log = await createHostTarget().run(scenario!, { kernel: 'host', trace: false, timeoutMs: 1000 });
  const out = recordSource(text, scenario!, log);
  t.equal(out.text, text);
  t.match(out.notes[0], /not run: requires model/);
});

t.test('helpers', async (t) => {
  t.same([0, 4096, 2048, 100, 3 * 4096, 5000].map(formatSize), ['0', '1p', '2K', '100B', '3p', '5000']);
  t.equal(applyEdits('ab\ncd', [{ line: 2, column: 2, endColumn: 2, text: 'X', why: '' }]), 'ab\ncXd');
  t.equal(lineDiff('f', 'a', 'a'), '');
});
