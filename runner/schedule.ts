// Dispatch file jobs inline (-j1) or to the pool, at most `jobs` at a time,
// honouring --bail and SIGINT. Results are handed on in input order (a reorder
// buffer), so reports are deterministic whatever finishes first.
import type { FileResult } from '../schema/generated/types.js';
import { errorResult, isFiltered, runFile, type FileJob, type JobOutcome } from './execute.js';
import { isFailure } from './results.js';
import type { WorkerPool } from './pool.js';
import { fileMessage } from './render/message.js';
import { closeSessions } from './target-sessions.js';
import { revalidateCache } from './cache.js';
import { preloadFor } from './run-config.js';
import { BOOT_LIMIT_MS } from './targets/vm/config.js';

export interface ScheduleOptions {
  jobs: number;
  /** Stop dispatching after this many FAIL/ERROR scenarios (0: never). */
  bail: number;
  signal: AbortSignal;
  /** Every outcome, in completion order (progress lines). */
  onSettled?: (o: JobOutcome) => void;
  /** FileResults in input order. */
  onResult?: (r: FileResult) => void;
  /** Reuse a pool across runs (watch). */
  pool?: WorkerPool;
}

export interface ScheduleOutcome {
  results: FileResult[];
  filtered: number;
  /** Jobs never started (bail, SIGINT). */
  notRun: number;
  bailed: boolean;
}

/** Inline runs cannot preempt a busy loop; they still stop waiting on an async target past the budget. */
async function runInline(job: FileJob, signal: AbortSignal): Promise<JobOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<JobOutcome>((resolve) => {
    timer = setTimeout(() => resolve(errorResult(job, [fileMessage('run/timeout', `timed out after ${job.timeoutMs} ms`, job.file)], job.timeoutMs)), job.timeoutMs + 1000 + (job.vm ? BOOT_LIMIT_MS : 0));
  });
  try {
    return await Promise.race([runFile(job, signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Files per worker task: a task costs a round trip through the main thread
 * (the worker idles meanwhile), so batches are large while much remains and
 * shrink towards the end so every lane finishes at about the same time.
 */
export function batchSize(remaining: number, threads: number): number {
  return Math.max(1, Math.min(256, Math.floor(remaining / (threads * 4))));
}

export async function schedule(jobs: readonly FileJob[], opts: ScheduleOptions): Promise<ScheduleOutcome> {
  const width = Math.max(1, Math.min(opts.jobs, jobs.length));
  const inline = opts.jobs <= 1 && !opts.pool;
  if (inline) revalidateCache();
  // piscina is loaded only when workers are used (-j1 runs never pay for it).
  const first = jobs[0];
  const ownPool = !inline && !opts.pool && first
    ? new (await import('./pool.js')).WorkerPool({ threads: width, preload: preloadFor(first) })
    : undefined;
  const pool = opts.pool ?? ownPool;
  const done = new Array<JobOutcome | undefined>(jobs.length);
  /** Indexes not started yet; files a failed batch never reached go back to the front. */
  const queue = jobs.map((_, i) => i);
  let emitted = 0;
  let failures = 0;
  let bailed = false;

  const flush = () => {
    while (emitted < jobs.length && done[emitted] !== undefined) {
      const o = done[emitted]!;
      if (!isFiltered(o)) opts.onResult?.(o);
      emitted++;
    }
  };
  const stopped = () => opts.signal.aborted || bailed;
  const settle = (i: number, o: JobOutcome) => {
    if (done[i] !== undefined) return;
    done[i] = o;
    opts.onSettled?.(o);
    if (!isFiltered(o) && isFailure(o)) {
      failures++;
      if (opts.bail > 0 && failures >= opts.bail) bailed = true;
    }
    flush();
  };

  const inlineLane = async () => {
    while (!stopped() && queue.length > 0) {
      const i = queue.shift()!;
      settle(i, await runInline(jobs[i]!, opts.signal));
    }
  };
  const poolLane = async () => {
    while (!stopped() && queue.length > 0) {
      // With --bail, one file at a time so no more than needed runs past the limit.
      const take = opts.bail > 0 ? 1 : batchSize(queue.length, width);
      const batch = queue.splice(0, take);
      const { outcomes } = await pool!.runBatch(batch.map((i) => jobs[i]!), opts.signal, (k, o) => settle(batch[k]!, o));
      const unstarted = batch.filter((_, k) => outcomes[k] === undefined);
      if (!opts.signal.aborted) queue.unshift(...unstarted);
    }
  };
  try {
    await Promise.all(inline ? [inlineLane()] : Array.from({ length: width }, poolLane));
  } finally {
    if (inline) await closeSessions();
    await ownPool?.close();
  }
  // Interrupted runs: later results still count even when an earlier one never finished.
  const results: FileResult[] = [];
  let filtered = 0;
  for (let i = emitted; i < jobs.length; i++) {
    const o = done[i];
    if (o && !isFiltered(o)) opts.onResult?.(o);
  }
  for (const o of done) {
    if (!o) continue;
    if (isFiltered(o)) filtered++;
    else results.push(o);
  }
  return { results, filtered, notRun: jobs.length - done.filter(Boolean).length, bailed };
}
