// Worker threads on piscina. piscina has no per-task timeout and its abort
// signal also counts queue time (ecosystem-notes §3.2), so the scheduler never
// hands it more than maxThreads tasks: a task starts when it is dispatched,
// and its AbortSignal.timeout is the scenario's own clock.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { FileJob, JobOutcome } from './execute.js';
import { errorResult } from './execute.js';
import { fileMessage } from './render/message.js';

export interface PoolOptions {
  threads: number;
  /** Heap cap per worker (MiB), against runaway scenarios. */
  maxOldGenerationSizeMb?: number;
  /** Keep idle workers warm (watch mode). */
  idleTimeoutMs?: number;
}

/** Grace on top of the scenario budget: the target reports `timeout` itself when it can. */
const KILL_GRACE_MS = 1000;

function workerFile(): string {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return fileURLToPath(js);
  // Running from the TypeScript sources (tests): workers need a TS loader, not available on Node 20.
  throw new Error('worker threads need the built runner (dist/runner/worker.js): run `npm run build`, or use -j1');
}

/** MLS_WORKER_HEAP_MB caps each worker's old-generation heap (default 1024). */
function heapFromEnv(): number | undefined {
  const v = Number(process.env['MLS_WORKER_HEAP_MB']);
  return Number.isInteger(v) && v >= 16 ? v : undefined;
}

export class WorkerPool {
  private readonly piscina: Piscina;

  private readonly heapMb: number;

  constructor(readonly options: PoolOptions) {
    this.heapMb = options.maxOldGenerationSizeMb ?? heapFromEnv() ?? 1024;
    this.piscina = new Piscina({
      filename: workerFile(),
      minThreads: options.threads,
      maxThreads: options.threads,
      idleTimeout: options.idleTimeoutMs ?? 1000,
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    // A dead worker is replaced by piscina; the task's promise carries the failure.
    this.piscina.on('error', () => {});
  }

  /** Runs one job; crashes, hangs and out-of-memory become ERROR results. Never rejects. */
  async run(job: FileJob, abort: AbortSignal): Promise<JobOutcome | undefined> {
    const started = performance.now();
    const budget = AbortSignal.timeout(job.timeoutMs + KILL_GRACE_MS);
    const signal = AbortSignal.any([budget, abort]);
    try {
      return (await this.piscina.run(job, { signal })) as JobOutcome;
    } catch (e) {
      const ms = performance.now() - started;
      if (abort.aborted) return undefined; // interrupted: not a result
      const err = e as Error & { code?: string };
      if (budget.aborted) {
        return errorResult(job, [fileMessage('run/timeout', `timed out after ${job.timeoutMs} ms (the worker was stopped)`, job.file,
          ['raise --timeout or MLS_TIMEOUT_MUL if the scenario is just slow'])], ms);
      }
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        return errorResult(job, [fileMessage('run/out-of-memory', `the worker ran out of memory running ${job.file}`, job.file,
          [`heap cap: ${this.heapMb} MiB per worker (MLS_WORKER_HEAP_MB)`])], ms);
      }
      return errorResult(job, [fileMessage('run/worker-crash', `the worker crashed running ${job.file}: ${err.message}`, job.file)], ms);
    }
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
