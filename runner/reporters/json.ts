// The RunResults document as JSON (schema/results.schema.json), written once at the end.
import type { RunResults } from '../../schema/generated/types.js';
import type { Sink } from './sink.js';
import type { Reporter, ReporterEnv } from './types.js';

export class JsonReporter implements Reporter {
  readonly printsSummary = false;
  private readonly sink: Sink;
  constructor(env: ReporterEnv) {
    this.sink = env.sink;
  }
  start(): void {}
  file(): void {}
  async end(doc: RunResults): Promise<void> {
    this.sink.write(JSON.stringify(doc, null, 2) + '\n');
    await this.sink.close();
  }
}
