// Worker threads on piscina. piscina has no per-task timeout and its abort
// signal also counts queue time (ecosystem-notes §3.2), so the scheduler never
// hands it more than maxThreads tasks, and the scenario clock is ours: a task
// carries a batch of files, a MessagePort and a shared-memory clock; the worker
// publishes which scenario runs since when, and posts results a few at a time.
// A scenario that runs past its budget gets the worker stopped; results already
// posted are kept, the rest of the batch goes back to the scheduler.
import { existsSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Message } from '../schema/generated/types.js';
import type { FileJob, JobOutcome } from './execute.js';
import { errorResult } from './execute.js';
import { BOOT_LIMIT_MS } from './targets/vm/config.js';
import { fileMessage } from './render/message.js';
import { newClock, readClock, wallMs } from './pool-clock.js';

export interface PoolOptions {
  threads: number;
  /** Heap cap per worker (MiB), against runaway scenarios. */
  maxOldGenerationSizeMb?: number;
  /** Keep idle workers warm (watch mode). */
  idleTimeoutMs?: number;
  /** What each worker loads as it boots, before its first task (runner/worker.ts). */
  preload?: WorkerPreload;
}

/**
 * Loaded by a worker while it boots, so its first batch does not wait for it:
 * the target's modules, the cache pack, and the compiler when there is no pack
 * yet (a cold run compiles everything).
 */
export interface WorkerPreload {
  target: FileJob['target'];
  cacheDir?: string;
  vm?: FileJob['vm'];
}

/** What the worker posts on the task's port: results of finished scenarios, a few at a time. */
export interface WorkerEvent {
  outcomes: Array<{ index: number; outcome: JobOutcome }>;
}

export interface BatchOutcome {
  /** outcomes[i] for jobs[i]; undefined: not run (interrupted, or not started before a failure). */
  outcomes: Array<JobOutcome | undefined>;
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
      ...(options.preload ? { workerData: { preload: options.preload } } : {}),
    });
    // A dead worker is replaced by piscina; the task's promise carries the failure.
    this.piscina.on('error', () => {});
  }

  /**
   * Runs a batch in one worker. Never rejects: a hang, crash or out-of-memory becomes an ERROR
   * for the scenario that was running; scenarios after it are left undefined (to be re-queued).
   */
  async runBatch(jobs: readonly FileJob[], abort: AbortSignal, onOutcome: (i: number, o: JobOutcome) => void): Promise<BatchOutcome> {
    const outcomes = new Array<JobOutcome | undefined>(jobs.length);
    const { port1, port2 } = new MessageChannel();
    const stop = new AbortController();
    const running = newClock();
    const epoch = Math.round(wallMs());
    let timedOut: { index: number; since: number } | undefined;
    let received = 0;
    let allReceived: (() => void) | undefined;

    // The scenario's own clock starts when the worker starts it (shared memory,
    // runner/pool-clock.ts). The watchdog sleeps until the running scenario's
    // deadline, then looks again: one timer per budget, not per scenario.
    let timer: NodeJS.Timeout | undefined;
    const watch = (): void => {
      const now = readClock(running, epoch);
      const budget = (i: number) => jobs[i]!.timeoutMs + KILL_GRACE_MS + (jobs[i]!.vm ? BOOT_LIMIT_MS : 0);
      if (now && wallMs() - now.since >= budget(now.index)) {
        timedOut = now;
        stop.abort();
        return;
      }
      const wait = now ? now.since + budget(now.index) - wallMs() : budget(0);
      timer = setTimeout(watch, Math.max(10, wait));
    };
    watch();

    port1.on('message', (ev: WorkerEvent) => {
      for (const { index, outcome } of ev.outcomes) {
        outcomes[index] = outcome;
        received++;
        onOutcome(index, outcome);
      }
      if (received === jobs.length) allReceived?.();
    });
    const signal = AbortSignal.any([stop.signal, abort]);
    try {
      await this.piscina.run({ jobs, port: port2, running, epoch }, { signal, transferList: [port2] });
      // Port messages and the task's reply travel separately: wait for every result.
      if (received < jobs.length) await new Promise<void>((r) => (allReceived = r));
    } catch (e) {
      // Let results the worker posted before it died arrive.
      await new Promise((r) => setTimeout(r, 20));
      const failed = timedOut ?? readClock(running, epoch);
      if (failed && outcomes[failed.index] === undefined) {
        // Interrupted: the worker was stopped mid-scenario (its host processes die with its thread:
        // the supervisor's parent-death signal); the scenario is reported, as interrupted.
        const job = jobs[failed.index]!;
        const message = abort.aborted && !timedOut
          ? fileMessage('run/interrupted', `interrupted while running ${job.file}; the worker was stopped`, job.file)
          : this.failureMessage(e as Error & { code?: string }, job, timedOut !== undefined);
        const o = errorResult(job, [message], wallMs() - failed.since);
        outcomes[failed.index] = o;
        onOutcome(failed.index, o);
      }
    } finally {
      clearTimeout(timer);
      port1.close();
    }
    // Results the worker finished but had not posted yet are undefined here: the scheduler re-queues them.
    return { outcomes };
  }

  private failureMessage(err: Error & { code?: string }, job: FileJob, timedOut: boolean): Message {
    if (timedOut) {
      return fileMessage('run/timeout', `timed out after ${job.timeoutMs} ms (the worker was stopped)`, job.file,
        ['raise --timeout or MLS_TIMEOUT_MUL if the scenario is just slow']);
    }
    if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return fileMessage('run/out-of-memory', `the worker ran out of memory running ${job.file}`, job.file,
        [`heap cap: ${this.heapMb} MiB per worker (MLS_WORKER_HEAP_MB)`]);
    }
    return fileMessage('run/worker-crash', `the worker crashed running ${job.file}: ${err.message}`, job.file);
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
