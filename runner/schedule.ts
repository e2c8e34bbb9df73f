// Dispatch file jobs inline (-j1) or to the pool, at most `jobs` at a time,
// honouring --bail and SIGINT. Results are handed on in input order (a reorder
// buffer), so reports are deterministic whatever finishes first.
import type { FileResult } from '../schema/generated/types.js';
import { errorResult, isFiltered, runFile, type FileJob, type JobOutcome } from './execute.js';
import { WorkerPool } from './pool.js';
import { fileMessage } from './render/message.js';

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
async function runInline(job: FileJob): Promise<JobOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<JobOutcome>((resolve) => {
    timer = setTimeout(() => resolve(errorResult(job, [fileMessage('run/timeout', `timed out after ${job.timeoutMs} ms`, job.file)], job.timeoutMs)), job.timeoutMs + 1000);
  });
  try {
    return await Promise.race([runFile(job), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function schedule(jobs: readonly FileJob[], opts: ScheduleOptions): Promise<ScheduleOutcome> {
  const width = Math.max(1, Math.min(opts.jobs, jobs.length));
  const inline = opts.jobs <= 1 && !opts.pool;
  const ownPool = !inline && !opts.pool ? new WorkerPool({ threads: width }) : undefined;
  const pool = opts.pool ?? ownPool;
  const done = new Array<JobOutcome | undefined>(jobs.length);
  let next = 0;
  let emitted = 0;
  let failures = 0;
  let bailed = false;
  let started = 0;

  const flush = () => {
    while (emitted < jobs.length && done[emitted] !== undefined) {
      const o = done[emitted]!;
      if (!isFiltered(o)) opts.onResult?.(o);
      emitted++;
    }
  };
  const stopped = () => opts.signal.aborted || bailed;

  const lane = async () => {
    while (!stopped() && next < jobs.length) {
      const i = next++;
      started++;
      const job = jobs[i]!;
      const o = inline ? await runInline(job) : await pool!.run(job, opts.signal);
      if (o === undefined) continue; // interrupted mid-run: nothing to report
      done[i] = o;
      opts.onSettled?.(o);
      if (!isFiltered(o) && (o.outcome === 'FAIL' || o.outcome === 'ERROR')) {
        failures++;
        if (opts.bail > 0 && failures >= opts.bail) bailed = true;
      }
      flush();
    }
  };
  try {
    await Promise.all(Array.from({ length: inline ? 1 : width }, lane));
  } finally {
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
