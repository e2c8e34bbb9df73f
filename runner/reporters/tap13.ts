// TAP 13 for the consumers that stop at 13: prove (TAP::Harness refuses any
// later version line), kselftest-style runners, most CI TAP plugins. They do
// not read TAP 14 subtests (indented lines are ignored), so the stream is flat:
// one test point per check, named `file (scenario): check`, a SKIP point per
// skipped scenario, and kselftest's closing `# Totals:` line. Separators are
// ASCII: Perl's TAP::Formatter warns "Wide character in print" on others.
import type { FileResult, RunResults } from '../../schema/generated/types.js';
import { summaryLine } from '../results.js';
import type { Sink } from './sink.js';
import { checkDiagnostics, escapeDescription, messageDiagnostics, yamlBlock } from './tap.js';
import type { Reporter, ReporterEnv } from './types.js';

export interface Tap13Totals {
  pass: number;
  fail: number;
  /** Failures of scenarios marked `todo` (kselftest's XFAIL: expected to fail). */
  xfail: number;
  skip: number;
  error: number;
}

/** The points of one scenario, numbered from `first`; `totals` is updated. */
export function fileToTap13(r: FileResult, first: number, totals: Tap13Totals): { text: string; points: number } {
  const title = r.name && r.name !== r.file ? `${r.file} (${r.name})` : r.file;
  let n = first - 1;
  let text = '';
  let pictured = false;
  const point = (ok: boolean, name: string, directive = ''): void => {
    n++;
    text += `${ok ? 'ok' : 'not ok'} ${n} - ${escapeDescription(name)}${directive}\n`;
  };
  if (r.outcome === 'SKIP') {
    totals.skip++;
    point(true, title, ` # SKIP ${escapeDescription(r.skipReason ?? 'skipped')}`);
    return { text, points: n - first + 1 };
  }
  for (const c of r.checks) {
    if (c.status === 'skip') {
      totals.skip++;
      point(true, `${title}: ${c.name}`, ` # SKIP ${escapeDescription(c.message ?? 'skipped')}`);
    } else if (c.status === 'pass') {
      totals.pass++;
      point(true, `${title}: ${c.name}`);
    } else {
      if (r.todo !== undefined) totals.xfail++;
      else totals.fail++;
      point(false, `${title}: ${c.name}`, r.todo !== undefined ? ` # TODO ${escapeDescription(r.todo)}`.trimEnd() : '');
      const d = checkDiagnostics(c);
      // The picture is of the first failure: shown once per scenario.
      if (r.picture !== undefined && !pictured) d['picture'] = r.picture;
      pictured = true;
      text += yamlBlock(d, '');
    }
  }
  for (const m of r.messages.filter((m) => m.severity === 'error')) {
    totals.error++;
    point(false, `${title}: ${m.id}: ${m.text}`);
    text += yamlBlock(messageDiagnostics(m), '');
  }
  // A scenario without checks (or whose checks all passed, of which there were none) still shows up once.
  if (n === first - 1) {
    const ok = r.outcome === 'PASS';
    if (ok) totals.pass++;
    else totals.fail++;
    point(ok, title);
  }
  return { text, points: n - first + 1 };
}

export class Tap13Reporter implements Reporter {
  readonly printsSummary: boolean;
  private n = 0;
  private readonly totals: Tap13Totals = { pass: 0, fail: 0, xfail: 0, skip: 0, error: 0 };
  private readonly sink: Sink;

  constructor(env: ReporterEnv) {
    this.sink = env.sink;
    this.printsSummary = env.sink.toStdout;
  }

  start(): void {
    this.sink.write('TAP version 13\n');
  }

  file(r: FileResult): void {
    const { text, points } = fileToTap13(r, this.n + 1, this.totals);
    this.n += points;
    this.sink.write(text);
  }

  async end(doc: RunResults): Promise<void> {
    if (doc.interrupted) this.sink.write('# interrupted: the run stopped before every scenario ran\n');
    this.sink.write(`1..${this.n}\n`);
    const t = this.totals;
    this.sink.write(`# Totals: pass:${t.pass} fail:${t.fail} xfail:${t.xfail} xpass:0 skip:${t.skip} error:${t.error}\n`);
    this.sink.write(`# ${summaryLine(doc.summary)}\n`);
    await this.sink.close();
  }
}
