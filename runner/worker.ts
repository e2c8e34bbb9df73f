// piscina worker entry: one task = a batch of scenario files (runner/execute.ts),
// results reported in small groups on the task's MessagePort; the scenario
// running now is published in shared memory (runner/pool.ts keeps the clock).
//
// TEST-ONLY HOOK: MLS_TEST_WORKER_FAULT="hang:<s>,oom:<s>,crash:<s>" makes the
// worker busy-loop forever, exhaust its heap, or exit abruptly for any file
// whose path contains <s>. It exists so test/runner can prove that a hung,
// out-of-memory or crashed worker yields an ERROR for that scenario while the
// rest of the run continues. It is read only here, in the worker entry, and
// has no effect on -j1 inline runs.
import { workerData, type MessagePort } from 'node:worker_threads';
import { runFile, type FileJob } from './execute.js';
import type { WorkerEvent, WorkerPreload } from './pool.js';
import { RUNNING_INDEX, RUNNING_SINCE, wallMs } from './pool-clock.js';
import { closeSessions } from './target-sessions.js';
import { flushCache, preloadCache, revalidateCache } from './cache.js';
import { loadCompiler, loadTarget } from './tools.js';

/**
 * piscina imports this module when the worker starts, before any task: load
 * what the first scenario needs now, while the main thread is still busy.
 * Failures are left for runFile, which reports them per scenario.
 */
async function preload(p: WorkerPreload | undefined): Promise<void> {
  if (!p) return;
  const cold = p.cacheDir === undefined || !preloadCache(p.cacheDir);
  await Promise.all([loadTarget(p.target, p.vm), cold ? loadCompiler() : undefined]).catch(() => undefined);
}
await preload((workerData as { preload?: WorkerPreload } | null)?.preload);

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

/** Results go out in small groups (one message per scenario cost more than the scenario on small files). */
const FLUSH_COUNT = 16;
const FLUSH_MS = 50;

export default async function task({ jobs, port, running, epoch }: { jobs: FileJob[]; port: MessagePort; running: SharedArrayBuffer; epoch: number }): Promise<number> {
  // The pool's watchdog reads which scenario runs and since when from shared
  // memory: no message per scenario start.
  const clock = new Int32Array(running);
  let pending: Array<{ index: number; outcome: WorkerEvent['outcomes'][number]['outcome'] }> = [];
  let lastFlush = performance.now();
  revalidateCache(); // watch mode: the main thread may have merged the cache since the last batch
  const flush = () => {
    if (pending.length === 0) return;
    port.postMessage({ outcomes: pending } satisfies WorkerEvent);
    pending = [];
    lastFlush = performance.now();
  };
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i]!;
    Atomics.store(clock, RUNNING_SINCE, Math.round(wallMs() - epoch));
    Atomics.store(clock, RUNNING_INDEX, i);
    testFault(job.file);
    pending.push({ index: i, outcome: await runFile(job) }); // runFile never throws
    if (pending.length >= FLUSH_COUNT || performance.now() - lastFlush >= FLUSH_MS) flush();
  }
  Atomics.store(clock, RUNNING_INDEX, -1);
  // A batch's host scenarios share one supervisor; it ends with the batch (a
  // worker stopped mid-batch closes its end of the pipe, which ends it too).
  await closeSessions();
  flushCache(); // before the results: the main thread merges once it has them all
  flush();
  return jobs.length;
}
