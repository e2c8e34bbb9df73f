// The RunResults document as JSON (schema/results.schema.json), written at the
// end in pieces (json-stream.ts): a big run's document is longer than a string can be.
import type { RunResults } from '../../schema/generated/types.js';
import { writeJson } from './json-stream.js';
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
    // Pieces are small (`,\n    "key": `): gather them into 64 kB writes.
    let buf = '';
    writeJson(doc, (s) => {
      buf += s;
      if (buf.length >= 65536) { this.sink.write(buf); buf = ''; }
    });
    this.sink.write(buf + '\n');
    await this.sink.close();
  }
}
