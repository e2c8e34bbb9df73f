// One character per scenario as it finishes (`.` pass, `F` fail, `E` error,
// `s` skip, `T` a failure marked todo), wrapped at the terminal width; then every failure in full, as
// the spec reporter draws it, and the closing line. For long CI logs.
import type { FileResult, RunResults } from '../../schema/generated/types.js';
import type { Style } from '../render/style.js';
import { summaryLine } from '../results.js';
import type { Sink } from './sink.js';
import { renderFailure } from './spec.js';
import type { Reporter, ReporterEnv } from './types.js';

export function dotFor(r: FileResult, style: Style): string {
  switch (r.outcome) {
    case 'PASS': return style.green('.');
    case 'FAIL': return r.todo !== undefined ? style.yellow('T') : style.red('F');
    case 'ERROR': return style.red('E');
    case 'SKIP': return style.yellow('s');
  }
}

export class DotReporter implements Reporter {
  readonly printsSummary: boolean;
  private readonly sink: Sink;
  private readonly style: Style;
  private readonly width: number;
  private column = 0;
  private readonly failures: FileResult[] = [];

  constructor(env: ReporterEnv) {
    this.sink = env.sink;
    this.style = env.style;
    this.printsSummary = env.sink.toStdout;
    this.width = Math.max(20, env.columns);
  }

  start(): void {}

  file(r: FileResult): void {
    if (this.column === this.width) {
      this.sink.write('\n');
      this.column = 0;
    }
    this.sink.write(dotFor(r, this.style));
    this.column++;
    if (r.outcome === 'FAIL' || r.outcome === 'ERROR') this.failures.push(r);
  }

  async end(doc: RunResults): Promise<void> {
    if (this.column > 0) this.sink.write('\n');
    if (this.failures.length > 0) this.sink.write('\n');
    for (const r of this.failures) this.sink.write(renderFailure(r, this.style));
    if (doc.interrupted) this.sink.write(`${this.style.yellow('Interrupted')}: not every scenario ran\n`);
    this.sink.write(`${summaryLine(doc.summary)}\n`);
    await this.sink.close();
  }
}
