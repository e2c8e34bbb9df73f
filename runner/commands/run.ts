// `mls run [paths…]`: discover, schedule, report. Exit 0 all passed, 1 a
// failure (or nothing matched), 2 usage/internal error, 130 interrupted.
import type { RunResults } from '../../schema/generated/types.js';
import { listOption } from '../args.js';
import { changedFiles } from '../changed.js';
import { mergeCache } from '../cache.js';
import { applyShard, discover, type ScenarioFile } from '../discover.js';
import { isFiltered } from '../execute.js';
import { makeJobs, preloadFor, runConfig, threadsFor, type RunConfig } from '../run-config.js';
import type { PoolOptions, WorkerPool } from '../pool.js';
import { createReporters, parseReporterSpecs, type ReporterSpec } from '../reporters/index.js';
import { isFailure, runResults, summaryLine } from '../results.js';
import { schedule } from '../schedule.js';
import { filesWithOnly } from '../only.js';
import { renderMessage } from '../render/message.js';
import { selectionText } from '../select.js';
import { loadTarget } from '../tools.js';
import type { Command, CommandContext } from './types.js';

export function colorFlag(ctx: CommandContext): boolean | undefined {
  return ctx.options['color'] === true ? true : ctx.options['no-color'] === true ? false : undefined;
}

/**
 * Usable target, or a one-line reason (printed once, exit 2) instead of one ERROR per file.
 * `pooled`: scenarios run in workers. The model is pure TypeScript and always
 * available: loading it here would only slow this thread down while the workers
 * boot and load it themselves (a broken build is reported per scenario).
 */
export async function checkTarget(cfg: RunConfig, pooled = false): Promise<string | undefined> {
  if (pooled && cfg.target === 'model') return undefined;
  try {
    const t = await loadTarget(cfg.target, cfg.vm);
    const a = await t.available();
    return a.ok ? undefined : `the ${cfg.target} target is not available here: ${a.reason}`;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A pool for `cfg` whose workers load the target (and the cache, or the compiler) as they boot. */
export async function startPool(cfg: RunConfig, threads: number, more: Omit<PoolOptions, 'threads' | 'preload'> = {}): Promise<WorkerPool> {
  const { WorkerPool } = await import('../pool.js');
  return new WorkerPool({ threads, ...more, preload: preloadFor(cfg) });
}

export interface RunOnce {
  doc: RunResults;
  bailed: boolean;
  notRun: number;
}

/** One pass over `files`: schedule, feed the reporters, close them. Shared by run and watch. */
export async function runFiles(
  ctx: CommandContext, cfg: RunConfig, files: readonly ScenarioFile[], specs: readonly ReporterSpec[],
  opts: { signal: AbortSignal; pool?: WorkerPool },
): Promise<RunOnce> {
  const reporters = await createReporters(specs, ctx.io, colorFlag(ctx));
  const startedAt = new Date();
  const jobs = makeJobs(cfg, files);
  // A matrix run (--kernel all or a list) names each result after its profile too.
  const tag = cfg.kernels.length > 1 ? (r: { name: string; kernel: string }) => { r.name = `${r.name} [${r.kernel}]`; } : undefined;
  reporters.forEach((r) => r.start(jobs.length));
  let done = 0;
  let failed = 0;
  let skipped = 0;
  const outcome = await schedule(jobs, {
    jobs: cfg.jobs,
    bail: cfg.bail,
    signal: opts.signal,
    ...(opts.pool ? { pool: opts.pool } : {}),
    onSettled: (o) => {
      done++;
      if (!isFiltered(o)) {
        if (isFailure(o)) failed++;
        if (o.outcome === 'SKIP') skipped++;
      }
      for (const r of reporters) r.progress?.({ done, total: jobs.length, failed, skipped, file: o.file });
    },
    onResult: (res) => { tag?.(res); reporters.forEach((r) => r.file(res)); },
  });
  // New compile-cache entries go into the pack the next run reads in one go.
  if (cfg.cacheDir !== undefined) mergeCache(cfg.cacheDir);
  const doc = runResults(outcome.results, startedAt, opts.signal.aborted || outcome.notRun > 0);
  for (const r of reporters) await r.end(doc);
  // The closing line always appears once: on stdout unless a machine format owns stdout.
  if (!reporters.some((r) => r.printsSummary)) {
    const stdoutTaken = specs.some((s) => s.file === undefined);
    (stdoutTaken ? ctx.io.stderr : ctx.io.stdout).write(`${summaryLine(doc.summary)}\n`);
  }
  return { doc, bailed: outcome.bailed, notRun: outcome.notRun };
}

export const run: Command = async (ctx) => {
  const { io } = ctx;
  const cfg = await runConfig(ctx);
  const specs = parseReporterSpecs(listOption(ctx.options, 'reporter'), io);
  // Workers boot (a fresh V8 isolate each, ~0.1–0.2 s) while this thread globs the files and checks
  // the target: with -j N given the pool's size is known before the files are.
  let pool = cfg.jobsGiven && cfg.jobs > 1 ? await startPool(cfg, cfg.jobs) : undefined;
  let once: RunOnce;
  try {
    const found = discover(ctx.positionals, io.cwd);
    for (const u of found.unmatched) io.stderr.write(`mls: warning: no .mls file matches '${u}'\n`);
    const changed = changedFiles(ctx, found.files);
    const files = cfg.shard ? applyShard(changed, cfg.shard) : changed;
    // All files, not the shard: every shard of a run must agree on whether `only` is in force.
    const withOnly = filesWithOnly(found.files);
    if (cfg.forbidOnly && withOnly.length > 0) {
      for (const m of withOnly) io.stderr.write(renderMessage(m));
      return 2;
    }
    if (withOnly.length > 0) {
      cfg.only = true;
      io.stderr.write(`mls: \`only\` in ${withOnly.map((m) => m.location!.file).join(', ')}: running only ${withOnly.length === 1 ? 'that scenario' : 'those scenarios'}\n`);
    }
    if (files.length === 0) return noTests(ctx, cfg, 'no scenario files found' + (ctx.positionals.length ? ` in ${ctx.positionals.join(' ')}` : ''));
    const jobs = threadsFor(cfg, files.length * cfg.kernels.length);
    if (!pool && jobs > 1 && files.length > 1) pool = await startPool(cfg, Math.min(jobs, files.length));
    const unavailable = await checkTarget(cfg, pool !== undefined);
    if (unavailable) {
      io.stderr.write(`mls: error: ${unavailable}\n`);
      return 2;
    }
    once = await runFiles(ctx, { ...cfg, jobs }, files, specs, { signal: ctx.signal, ...(pool ? { pool } : {}) });
  } finally {
    await pool?.close();
  }
  const { doc, bailed, notRun } = once;
  if (ctx.signal.aborted) return 130;
  if (bailed) io.stderr.write(`mls: bailed out after ${cfg.bail} failed scenario${cfg.bail === 1 ? '' : 's'}; ${notRun} not run\n`);
  if (doc.files.length === 0) {
    const sel = selectionText(cfg);
    return noTests(ctx, cfg, sel !== '' ? `no scenario matches ${sel}` : 'no scenario ran');
  }
  return exitCodeFor(doc);
};

/** 2 when a scenario does not compile (a broken suite, like ESLint's parse errors); 1 when one failed. */
export function exitCodeFor(doc: RunResults): number {
  const broken = doc.files.some((f) => f.messages.some((m) => m.severity === 'error' && m.id.startsWith('mls/')));
  if (broken) return 2;
  return doc.summary.failed > 0 ? 1 : 0;
}

export function noTests(ctx: CommandContext, cfg: RunConfig, why: string): number {
  if (cfg.passWithNoTests) {
    ctx.io.stderr.write(`mls: ${why} (--pass-with-no-tests: exit 0)\n`);
    return 0;
  }
  ctx.io.stderr.write(`mls: error: ${why}; use --pass-with-no-tests to allow this\n`);
  return 1;
}
