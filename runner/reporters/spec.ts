// The human reporter: one redrawn progress line on a TTY (a plain line now and
// then in CI), failures in full (expected vs actual, the source line with a
// caret, a picture of the region), then the summary.
import type { CheckResult, FileResult, RunResults } from '../../schema/generated/types.js';
import { codeFrame, renderMessage } from '../render/message.js';
import type { Style } from '../render/style.js';
import { summaryLine } from '../results.js';
import type { Sink } from './sink.js';
import type { Progress, Reporter, ReporterEnv } from './types.js';

const CI_EVERY_MS = 5000;
/** Redraws of the progress line at most this often: a terminal write per result cost more than a model scenario. */
const REDRAW_EVERY_MS = 40;

function failedCheck(c: CheckResult, style: Style): string[] {
  const out = [`  ${style.red('✗')} ${style.bold(c.name)}  ${style.dim(`${c.location.file}:${c.location.line}:${c.location.column}`)}`];
  out.push(...codeFrame(c.location, style).map((l) => `  ${l}`));
  if (c.message !== undefined && (c.expected === undefined || c.actual === undefined)) out.push(`    ${c.message}`);
  const rows: Array<[string, string, (s: string) => string]> = [];
  if (c.counter !== undefined) rows.push(['counter', c.counter + (c.proc && c.proc !== 'main' ? ` (in ${c.proc})` : ''), (s) => s]);
  if (c.expected !== undefined) rows.push(['- expected', c.expected, style.green]);
  if (c.actual !== undefined) rows.push(['+ actual', c.actual, style.red]);
  for (const [k, v, colour] of rows) out.push(`    ${colour(k.padEnd(11))} ${colour(v)}`);
  return out;
}

export function renderFailure(r: FileResult, style: Style): string {
  const tag = r.outcome === 'ERROR' ? style.red(style.bold(' ERROR '))
    : r.todo !== undefined ? style.yellow(style.bold(' TODO ')) : style.red(style.bold(' FAIL '));
  const why = r.todo !== undefined && r.outcome === 'FAIL' ? style.dim(` (todo${r.todo !== '' ? `: ${r.todo}` : ''}; does not fail the run)`) : '';
  const lines = [`${tag} ${style.bold(r.file)}${r.name !== r.file ? ` — ${r.name}` : ''}${why}`];
  for (const m of r.messages) lines.push(...renderMessage(m, style).trimEnd().split('\n').map((l) => `  ${l}`));
  for (const c of r.checks) if (c.status === 'fail') lines.push(...failedCheck(c, style));
  if (r.picture !== undefined) {
    lines.push(`  ${style.cyan('address space at the first failure:')}`);
    lines.push(...r.picture.split('\n').map((l) => `    ${l}`));
  }
  return lines.join('\n') + '\n\n';
}

export class SpecReporter implements Reporter {
  readonly printsSummary: boolean;
  private readonly sink: Sink;
  private readonly style: Style;
  private readonly redraw: boolean;
  private started = performance.now();
  private lastPlain = 0;
  private lastDraw = -Infinity;
  private last: Progress = { done: 0, total: 0, failed: 0, skipped: 0 };
  private drawn = false;
  private readonly skipped: FileResult[] = [];

  constructor(private readonly env: ReporterEnv) {
    this.sink = env.sink;
    this.style = env.style;
    this.printsSummary = env.sink.toStdout;
    this.redraw = env.sink.isTTY && !env.ci;
  }

  start(total: number): void {
    this.started = performance.now();
    this.lastPlain = performance.now();
    this.last = { done: 0, total, failed: 0, skipped: 0 };
  }

  private statusText(p: Progress): string {
    const secs = ((performance.now() - this.started) / 1000).toFixed(1);
    const failed = p.failed > 0 ? this.style.red(`${p.failed} failed`) : '0 failed';
    return `${p.done}/${p.total} scenarios, ${failed}, ${p.skipped} skipped, ${secs}s`;
  }

  private clear(): void {
    if (this.drawn) this.sink.write('\r\u001b[K');
    this.drawn = false;
  }

  progress(p: Progress, force = false): void {
    this.last = p;
    if (this.redraw) {
      // The last result's line is drawn too: end() clears it and prints the summary.
      const now = performance.now();
      if (!force && p.done < p.total && now - this.lastDraw < REDRAW_EVERY_MS) return;
      this.lastDraw = now;
      const line = `${this.style.yellow('RUNS')} ${this.statusText(p)}`;
      this.sink.write(`\r\u001b[K${line.slice(0, Math.max(20, this.env.columns + 20))}`);
      this.drawn = true;
    } else if (performance.now() - this.lastPlain >= CI_EVERY_MS) {
      this.lastPlain = performance.now();
      this.sink.write(`${this.statusText(p)}\n`);
    }
  }

  file(r: FileResult): void {
    if (r.outcome === 'FAIL' || r.outcome === 'ERROR') {
      this.clear();
      this.sink.write(renderFailure(r, this.style));
      if (this.redraw) this.progress(this.last, true);
    } else if (r.outcome === 'SKIP') {
      this.skipped.push(r);
    }
  }

  async end(doc: RunResults): Promise<void> {
    this.clear();
    const s = this.style;
    const { summary } = doc;
    if (this.skipped.length > 0 && this.skipped.length <= 20) {
      for (const r of this.skipped) this.sink.write(`${s.yellow('SKIP')} ${r.file} ${s.dim(`(${r.skipReason ?? 'skipped'})`)}\n`);
    }
    const checks = doc.files.reduce((n, f) => n + f.checks.length, 0);
    const parts = [
      summary.passed > 0 ? s.green(`${summary.passed} passed`) : '0 passed',
      summary.failed > 0 ? s.red(`${summary.failed} failed`) + (summary.errors > 0 ? ` (${summary.errors} error${summary.errors === 1 ? '' : 's'})` : '') : '0 failed',
      `${summary.skipped} skipped`,
    ];
    this.sink.write(`\n ${s.bold('Scenarios')}  ${parts.join(', ')} of ${summary.total}\n`);
    this.sink.write(` ${s.bold('Checks')}     ${checks}\n`);
    this.sink.write(` ${s.bold('Duration')}   ${(doc.durationMs / 1000).toFixed(2)}s\n`);
    if (doc.interrupted) this.sink.write(` ${s.yellow('Interrupted')}: not every scenario ran\n`);
    this.sink.write(`${summaryLine(summary)}\n`);
    await this.sink.close();
  }
}
