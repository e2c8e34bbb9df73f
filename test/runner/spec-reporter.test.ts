import t from 'tap';
import { SpecReporter } from '../../runner/reporters/spec.js';
import type { Sink } from '../../runner/reporters/sink.js';
import { plain } from '../../runner/render/style.js';
import { sampleResults } from './fixtures/results.js';

function sink(isTTY: boolean): Sink & { text: string } {
  return { toStdout: true, isTTY, text: '', write(s: string) { this.text += s; }, async close() {} };
}

async function drive(isTTY: boolean, ci: boolean) {
  const s = sink(isTTY);
  const r = new SpecReporter({ sink: s, style: plain, ci, columns: 80 });
  const doc = sampleResults();
  r.start(doc.files.length);
  doc.files.forEach((f, i) => {
    r.progress({ done: i + 1, total: doc.files.length, failed: 0, skipped: 0, file: f.file });
    r.file(f);
  });
  await r.end(doc);
  return s.text;
}

t.test('on a TTY: one progress line redrawn in place, cleared before failures and the summary', async (t) => {
  const out = await drive(true, false);
  t.match(out, /\r\u001b\[KRUNS 1\/4 scenarios, 0 failed, 0 skipped, \d+\.\ds/);
  t.match(out, /\r\u001b\[K FAIL  b\.mls/, 'the progress line is erased before a failure is printed');
  t.match(out, /1 passed, 2 failed, 1 skipped\n$/);
});

t.test('in CI or when piped: no redraws', async (t) => {
  for (const [tty, ci] of [[true, true], [false, false]] as const) {
    const out = await drive(tty, ci);
    t.notMatch(out, /\r|\u001b/, `tty=${tty} ci=${ci}`);
    t.match(out, / FAIL  b\.mls/);
  }
});
