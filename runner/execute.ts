// One scenario file, start to end: read, compile (cached), select, run on the
// target, evaluate. Runs inline (-j1) or inside a worker; returns plain objects
// only and never throws for problems with the scenario.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { FileResult, Message } from '../schema/generated/types.js';
import { compileCached } from './cache.js';
import { evaluate } from './evaluation/evaluate.js';
import { kernelMismatch, parseProfile } from './profiles/applies.js';
import { isSelected } from './select.js';
import { fileMessage } from './render/message.js';
import type { Target } from './targets/target.js';
import type { VmConfig } from './targets/vm/config.js';
import { runnerFor } from './target-sessions.js';
import { ToolMissing, loadTarget } from './tools.js';

export interface FileJob {
  /** Path as shown in reports (relative to the working directory when inside it). */
  file: string;
  /** Absolute path to read. */
  absPath: string;
  target: Target['name'];
  kernel: string;
  timeoutMs: number;
  /** Scenario-name/tag regex source (-t), and --tag / --exclude-tag (runner/select.ts). */
  filter?: string;
  tags?: string[];
  excludeTags?: string[];
  /** Some file of the run says `only`: scenarios that do not are not selected. */
  only?: boolean;
  cacheDir?: string;
  compilerVersion: string;
  /** `--setting`: the machine the model runs as. */
  settings?: Partial<Record<string, string>>;
  /** `--host-lock-cap`: the host safety cap in bytes. */
  hostLockCapBytes?: number;
  /** --target vm: the kernel image to boot and how. */
  vm?: VmConfig;
}

/** The scenario's name did not match -t: not run, not counted. */
export interface Filtered {
  filtered: true;
  file: string;
  name: string;
}

export type JobOutcome = FileResult | Filtered;

export function isFiltered(o: JobOutcome): o is Filtered {
  return (o as Filtered).filtered === true;
}

/** A FileResult for a scenario that produced no observations (parse error, crash, timeout). */
export function errorResult(job: Pick<FileJob, 'file' | 'target' | 'kernel'>, messages: Message[], durationMs = 0, name?: string): FileResult {
  return {
    file: job.file, name: name ?? basename(job.file), target: job.target, kernel: job.kernel,
    outcome: 'ERROR', durationMs, checks: [], messages,
  };
}

/** `signal`: the run was interrupted; a host scenario then ends at once (outcome interrupted). */
export async function runFile(job: FileJob, signal?: AbortSignal): Promise<JobOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let text: string;
  try {
    // Sync on purpose: one small file, in a worker; the promise API costs more than the read.
    text = readFileSync(job.absPath, 'utf8');
  } catch (e) {
    return errorResult(job, [fileMessage('run/read-error', `cannot read ${job.file}: ${(e as Error).message}`, job.file)]);
  }
  let compiled;
  try {
    compiled = await compileCached(text, job.file, job.compilerVersion, job.cacheDir);
  } catch (e) {
    return errorResult(job, [internalMessage(e, job.file, 'compiling')], elapsed());
  }
  // Compiling counts against the scenario's time limit (a huge file is not free time).
  const compileMs = elapsed();
  if (compileMs >= job.timeoutMs) {
    return errorResult(job, [fileMessage('run/timeout', `compiling took ${Math.round(compileMs)} ms, the time limit (--timeout) is ${job.timeoutMs} ms`, job.file)], compileMs, compiled.scenario?.name);
  }
  const errors = compiled.messages.filter((m) => m.severity === 'error');
  const scenario = compiled.scenario;
  if (!scenario || errors.length > 0) return errorResult(job, compiled.messages, elapsed(), scenario?.name);
  if (!isSelected(job, scenario) || (job.only && !scenario.only)) {
    return { filtered: true, file: job.file, name: scenario.name };
  }
  const warnings = compiled.messages;
  const profile = parseProfile(job.kernel);
  const marked = scenario.skip !== undefined ? `skip${scenario.skip !== '' ? `: ${scenario.skip}` : ' (marked in the scenario)'}` : undefined;
  const skip = marked ?? (job.target === 'model' ? kernelMismatch(scenario.kernels, profile) : undefined);
  if (skip !== undefined) {
    return {
      file: job.file, name: scenario.name, target: job.target, kernel: job.kernel, hash: scenario.hash,
      ...(scenario.tags.length ? { tags: scenario.tags } : {}),
      outcome: 'SKIP', skipReason: skip, durationMs: elapsed(), checks: [], messages: warnings,
    };
  }
  try {
    const target = await loadTarget(job.target, job.vm);
    const log = await runnerFor(target).run(scenario, {
      kernel: job.kernel, trace: false, timeoutMs: Math.max(1, job.timeoutMs - elapsed()),
      ...(job.settings ? { settings: job.settings } : {}),
      ...(job.hostLockCapBytes !== undefined ? { hostLockCapBytes: job.hostLockCapBytes } : {}),
      ...(signal ? { signal } : {}),
    });
    // The host reports `uname -r`; version selectors still match it, profile names do not.
    const kernelName = job.target === 'model' ? job.kernel : log.kernel;
    const result = evaluate(scenario, log, kernelName, { source: text, durationMs: elapsed() });
    result.messages.unshift(...warnings);
    if (scenario.tags.length) result.tags = scenario.tags;
    if (scenario.todo !== undefined) result.todo = scenario.todo;
    return result;
  } catch (e) {
    return errorResult(job, [...warnings, internalMessage(e, job.file, 'running')], elapsed(), scenario.name);
  }
}

function internalMessage(e: unknown, file: string, doing: string): Message {
  if (e instanceof ToolMissing) return fileMessage('run/unavailable', e.message, file);
  const err = e instanceof Error ? e : new Error(String(e));
  // An internal error keeps its first stack frames as a note: it is a bug to report, not a user mistake.
  const frames = (err.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim());
  return fileMessage('run/internal', `internal error while ${doing} ${file}: ${err.message}`, file, frames);
}
