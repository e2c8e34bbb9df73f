// TAP 14: one `# Subtest` per scenario file, one test point per check, YAML
// diagnostics through tap-yaml (file, line, column, expected, actual, unit),
// SKIP directives; the plan comes last so the stream can be closed validly at
// any point (SIGINT).
import { stringify } from 'tap-yaml';
import type { CheckResult, FileResult, Message, RunResults } from '../../schema/generated/types.js';
import { renderMessage } from '../render/message.js';
import { plain } from '../render/style.js';
import { summaryLine } from '../results.js';
import type { Sink } from './sink.js';
import type { Reporter, ReporterEnv } from './types.js';

/** TAP descriptions: no newlines, `#` and `\` escaped. */
export function escapeDescription(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

/**
 * Long or multi-line strings end in a newline so tap-yaml writes a `|`/`>` block scalar: Perl's
 * YAMLish reader (prove) knows neither `|-` nor quoted scalars folded over several lines.
 */
function clipFree(v: unknown): unknown {
  if (typeof v === 'string') return (v.includes('\n') || v.length > 60) && !v.endsWith('\n') ? v + '\n' : v;
  if (Array.isArray(v)) return v.map(clipFree);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clipFree(x)]));
  return v;
}

export function yamlBlock(obj: Record<string, unknown>, indent: string): string {
  const body = stringify(clipFree(obj)).replace(/\n$/, '');
  return [`${indent}  ---`, ...body.split('\n').map((l) => `${indent}  ${l}`), `${indent}  ...`].join('\n') + '\n';
}

function sourceFrame(c: CheckResult): string | undefined {
  const l = c.location;
  if (l.lineText === undefined) return undefined;
  const col = Math.max(0, l.column - (l.lineTextColumn ?? 1));
  return `${l.lineText}\n${' '.repeat(col)}${'^'.repeat(Math.max(1, Math.min(l.length ?? 1, l.lineText.length - col)))}`;
}

export function checkDiagnostics(c: CheckResult): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (c.message !== undefined) d['message'] = c.message;
  d['severity'] = c.status === 'fail' ? 'fail' : c.status;
  d['at'] = { file: c.location.file, line: c.location.line, column: c.location.column };
  if (c.proc !== undefined && c.proc !== 'main') d['process'] = c.proc;
  if (c.counter !== undefined) d['counter'] = c.counter;
  if (c.expected !== undefined) d['expected'] = c.expected;
  if (c.actual !== undefined) d['actual'] = c.actual;
  if (c.unit !== undefined) d['unit'] = c.unit;
  const src = sourceFrame(c);
  if (src !== undefined) d['source'] = src;
  return d;
}

export function messageDiagnostics(m: Message): Record<string, unknown> {
  const d: Record<string, unknown> = { message: m.text, severity: m.severity, id: m.id };
  if (m.location) d['at'] = { file: m.location.file, line: m.location.line, column: m.location.column };
  d['rendered'] = renderMessage(m, plain).trimEnd();
  return d;
}

/** `file — scenario name` (the name alone when it is the file). */
export function scenarioTitle(r: FileResult): string {
  return `${r.file}${r.name && r.name !== r.file ? ` — ${r.name}` : ''}`;
}

/** One scenario as a TAP subtest (4-space indented child document) and its closing point. */
export function fileToTap(r: FileResult, n: number): string {
  const title = escapeDescription(scenarioTitle(r));
  if (r.outcome === 'SKIP') return `ok ${n} - ${title} # SKIP ${escapeDescription(r.skipReason ?? 'skipped')}\n`;
  const ind = '    ';
  // A scenario marked `todo`: its failures are TODO points, which fail nothing.
  const todo = r.todo !== undefined ? ` # TODO ${escapeDescription(r.todo)}`.trimEnd() : '';
  let out = `# Subtest: ${title}\n`;
  let i = 0;
  for (const c of r.checks) {
    i++;
    const ok = c.status !== 'fail';
    const directive = c.status === 'skip' ? ` # SKIP ${escapeDescription(c.message ?? 'skipped')}` : c.status === 'fail' ? todo : '';
    out += `${ind}${ok ? 'ok' : 'not ok'} ${i} - ${escapeDescription(c.name)}${directive}\n`;
    if (c.status === 'fail') out += yamlBlock(checkDiagnostics(c), ind);
  }
  for (const m of r.messages.filter((m) => m.severity === 'error')) {
    i++;
    out += `${ind}not ok ${i} - ${escapeDescription(`${m.id}: ${m.text}`)}\n`;
    out += yamlBlock(messageDiagnostics(m), ind);
  }
  out += `${ind}1..${i}\n`;
  const ok = r.outcome === 'PASS';
  out += `${ok ? 'ok' : 'not ok'} ${n} - ${title}${r.outcome === 'FAIL' ? todo : ''}\n`;
  const summary: Record<string, unknown> = { outcome: r.outcome, target: r.target, kernel: r.kernel, duration_ms: Math.round(r.durationMs * 1000) / 1000 };
  if (!ok && r.picture !== undefined) summary['picture'] = r.picture;
  if (!ok) out += yamlBlock(summary, '');
  return out;
}

export class TapReporter implements Reporter {
  readonly printsSummary: boolean;
  private n = 0;
  private readonly sink: Sink;

  constructor(env: ReporterEnv) {
    this.sink = env.sink;
    this.printsSummary = env.sink.toStdout;
  }

  start(): void {
    this.sink.write('TAP version 14\n');
  }

  file(r: FileResult): void {
    this.n++;
    this.sink.write(fileToTap(r, this.n));
  }

  async end(doc: RunResults): Promise<void> {
    if (doc.interrupted) this.sink.write('# interrupted: the run stopped before every scenario ran\n');
    this.sink.write(`1..${this.n}\n`);
    this.sink.write(`# ${summaryLine(doc.summary)}\n`);
    await this.sink.close();
  }
}
