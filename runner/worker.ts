// piscina worker entry: one task = a batch of scenario files (runner/execute.ts),
// reported one by one on the task's MessagePort (runner/pool.ts keeps the clock).
//
// TEST-ONLY HOOK: MLS_TEST_WORKER_FAULT="hang:<s>,oom:<s>,crash:<s>" makes the
// worker busy-loop forever, exhaust its heap, or exit abruptly for any file
// whose path contains <s>. It exists so test/runner can prove that a hung,
// out-of-memory or crashed worker yields an ERROR for that scenario while the
// rest of the run continues. It is read only here, in the worker entry, and
// has no effect on -j1 inline runs.
import type { MessagePort } from 'node:worker_threads';
import { runFile, type FileJob } from './execute.js';
import type { WorkerEvent } from './pool.js';

function testFault(file: string): void {
  const spec = process.env['MLS_TEST_WORKER_FAULT'];
  if (!spec) return;
  for (const part of spec.split(',')) {
    const [mode, needle] = part.split(':', 2);
    if (!needle || !file.includes(needle)) continue;
    if (mode === 'hang') for (;;);
    if (mode === 'oom') {
      const hog: string[][] = [];
      for (;;) hog.push(new Array(1e6).fill('x'.repeat(8) + hog.length));
    }
    if (mode === 'crash') process.exit(7);
  }
}

export default async function task({ jobs, port }: { jobs: FileJob[]; port: MessagePort }): Promise<number> {
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i]!;
    port.postMessage({ kind: 'start', index: i } satisfies WorkerEvent);
    testFault(job.file);
    port.postMessage({ kind: 'result', index: i, outcome: await runFile(job) } satisfies WorkerEvent);
  }
  return jobs.length;
}
