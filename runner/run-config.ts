// Options shared by run and watch, validated once into a RunConfig.
import { resolve } from 'node:path';
import { UsageError, intOption, listOption, stringOption } from './args.js';
import { parseSettingArgs, type SettingValues } from './machine/settings.js';
import type { CommandContext } from './commands/types.js';
import { parseShard, type Shard } from './discover.js';
import type { FileJob } from './execute.js';
import type { WorkerPreload } from './pool.js';
import { defaultJobs } from './options.js';
import { compilerVersion } from './version.js';
import { defaultKernel } from './profiles/default.js';
import { hostLockCapOption } from './host-lock-cap.js';
import { selectionOf } from './select.js';
import type { VmConfig } from './targets/vm/config.js';

export { DEFAULT_KERNEL, hostKernel } from './profiles/default.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface RunConfig {
  target: 'model' | 'host' | 'vm';
  /** --target vm: what to boot. */
  vm?: VmConfig;
  /** The first of `kernels` (the one profile of a plain run). */
  kernel: string;
  /** Profiles to run every scenario on: one, a comma list, or every registered one (`all`). */
  kernels: string[];
  jobs: number;
  /** -j was given: `run` keeps exactly that many workers (isolation), never chooses inline itself. */
  jobsGiven: boolean;
  timeoutMs: number;
  filter?: string;
  /** `--tag` / `--exclude-tag` (runner/select.ts). */
  tags?: string[];
  excludeTags?: string[];
  cacheDir?: string;
  bail: number;
  shard?: Shard;
  passWithNoTests: boolean;
  /** Set by run once it has scanned the files: some scenario says `only`. */
  only?: boolean;
  forbidOnly: boolean;
  /** `--setting name=value`: the machine the model runs as (runner/machine/settings.ts). */
  settings?: Partial<SettingValues>;
  /** `--host-lock-cap` / MLS_HOST_LOCK_CAP in bytes; undefined: the default. */
  hostLockCapBytes?: number;
}

export function timeoutMultiplier(env: NodeJS.ProcessEnv): number {
  const raw = env['MLS_TIMEOUT_MUL'];
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`MLS_TIMEOUT_MUL must be a positive number, got '${raw}'`);
  return n;
}

export async function runConfig(ctx: CommandContext): Promise<RunConfig> {
  const o = ctx.options;
  const target = stringOption(o, 'target') ?? 'model';
  if (target !== 'model' && target !== 'host' && target !== 'vm') throw new UsageError(`--target must be model, host or vm, got '${target}'`);
  const vm = await vmOption(o, target, ctx.io.cwd);
  const kernelText = stringOption(o, 'kernel');
  // The profile registry (~45 ms of module loading and profile building) only when a profile is named.
  const kernels = kernelText === undefined ? [defaultKernel(target)] : (await import('./profiles/option.js')).parseKernels(kernelText, target);
  const kernel = kernels[0]!;
  const selection = selectionOf(o);
  const shardText = stringOption(o, 'shard');
  const shard = shardText !== undefined ? parseShard(shardText) : undefined;
  if (shardText !== undefined && !shard) throw new UsageError(`--shard needs i/n with 1 ≤ i ≤ n, got '${shardText}'`);
  const settings = settingsOption(o);
  if (settings && target !== 'model') throw new UsageError(`--setting applies to the model; the ${target} target is the machine it is (see \`mls doctor\`)`);
  const cacheDir = o['no-cache'] ? undefined : resolve(ctx.io.cwd, stringOption(o, 'cache-dir') ?? '.mls-cache');
  const hostLockCapBytes = hostLockCapOption(o, ctx.io.env);
  return {
    target, kernel, kernels,
    jobs: intOption(o, 'jobs', defaultJobs()),
    jobsGiven: o['jobs'] !== undefined,
    timeoutMs: Math.round(intOption(o, 'timeout', DEFAULT_TIMEOUT_MS) * timeoutMultiplier(ctx.io.env)),
    bail: o['bail'] === undefined ? 0 : intOption(o, 'bail', 1),
    passWithNoTests: o['pass-with-no-tests'] === true,
    forbidOnly: o['forbid-only'] === true,
    ...selection,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    ...(vm ? { vm } : {}),
    ...(shard ? { shard } : {}),
    ...(settings ? { settings } : {}),
    ...(hostLockCapBytes !== undefined ? { hostLockCapBytes } : {}),
  };
}

/** diff, fuzz and record: the real kernel they run on, `--target host` (the default) or `vm`. */
export function realTarget(o: CommandContext['options']): 'host' | 'vm' {
  const t = stringOption(o, 'target') ?? 'host';
  if (t !== 'host' && t !== 'vm') throw new UsageError(`--target must be host or vm here (the model is always one side), got '${t}'`);
  return t;
}

/**
 * The vm options (--kernel-image, --kernel-modules, --qemu, --vm-memory), checked: the
 * config with --target vm, undefined otherwise (where giving them is a usage error).
 */
export async function vmOption(o: CommandContext['options'], target: string, cwd: string): Promise<VmConfig | undefined> {
  const text = { kernelImage: stringOption(o, 'kernel-image'), kernelModules: stringOption(o, 'kernel-modules'), qemu: stringOption(o, 'qemu'), vmMemory: stringOption(o, 'vm-memory') };
  if (target !== 'vm') {
    const given = Object.entries(text).find(([, v]) => v !== undefined);
    if (given) throw new UsageError(`--${given[0].replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} is for --target vm`);
    return undefined;
  }
  const { vmConfig, VmConfigError } = await import('./targets/vm/config.js');
  try {
    return vmConfig(text, cwd);
  } catch (e) {
    if (e instanceof VmConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** `--setting` values, checked; undefined when none is given. */
export function settingsOption(o: CommandContext['options']): Partial<SettingValues> | undefined {
  const list = listOption(o, 'setting');
  if (list.length === 0) return undefined;
  const parsed = parseSettingArgs(list);
  if ('error' in parsed) throw new UsageError(parsed.error as string);
  return parsed;
}

export function makeJob(cfg: RunConfig, file: { file: string; absPath: string }): FileJob {
  return {
    file: file.file, absPath: file.absPath, target: cfg.target, kernel: cfg.kernel, timeoutMs: cfg.timeoutMs,
    compilerVersion: compilerVersion(),
    ...(cfg.filter !== undefined ? { filter: cfg.filter } : {}),
    ...(cfg.tags ? { tags: cfg.tags } : {}),
    ...(cfg.only ? { only: true } : {}),
    ...(cfg.excludeTags ? { excludeTags: cfg.excludeTags } : {}),
    ...(cfg.cacheDir !== undefined ? { cacheDir: cfg.cacheDir } : {}),
    ...(cfg.settings ? { settings: cfg.settings } : {}),
    ...(cfg.hostLockCapBytes !== undefined ? { hostLockCapBytes: cfg.hostLockCapBytes } : {}),
    ...(cfg.vm ? { vm: cfg.vm } : {}),
  };
}

/** One job per (file, profile); with several profiles the scenario name carries the profile. */
export function makeJobs(cfg: RunConfig, files: ReadonlyArray<{ file: string; absPath: string }>): FileJob[] {
  return files.flatMap((f) => cfg.kernels.map((k) => makeJob({ ...cfg, kernel: k }, f)));
}

/** What a worker of this run loads as it boots (runner/worker.ts). */
export function preloadFor(cfg: Pick<RunConfig, 'target' | 'cacheDir' | 'vm'>): WorkerPreload {
  return { target: cfg.target, ...(cfg.cacheDir !== undefined ? { cacheDir: cfg.cacheDir } : {}), ...(cfg.vm ? { vm: cfg.vm } : {}) };
}

/**
 * Scenarios a worker must have to pay for itself: a worker boots a fresh V8
 * isolate, loads ~80 modules and warms its own JIT (~0.2 s of CPU, more under
 * load). A model scenario costs ~0.5 ms inline, so two workers only beat the
 * main thread from about a thousand of them (bench/runner-throughput.mjs); a
 * host scenario waits ~10 ms on its processes, so workers pay off much sooner.
 */
/** A vm worker boots its own guest (~3 s of a CPU under TCG): only -j gives more than one. */
const MIN_SCENARIOS_PER_WORKER: Record<RunConfig['target'], number> = { model: 500, host: 20, vm: Infinity };

/**
 * Threads for `count` scenarios. An explicit -j N is kept (N workers: per-scenario
 * timeouts, heap caps and crash containment); without -j a run too small to
 * amortise workers runs inline, as jest does for a handful of test files.
 */
export function threadsFor(cfg: Pick<RunConfig, 'jobs' | 'jobsGiven' | 'target'>, count: number): number {
  if (cfg.jobsGiven || cfg.jobs <= 1) return cfg.jobs;
  // With 2 CPUs a model run stays inline at any size: inline already keeps ~1.6 of them busy (the main
  // thread and V8's compiler threads), and -j2 lost to -j1 on 2,000 and 8,000 generated files
  // (1.46 vs 1.84-2.01 s, 2.8 vs 3.6-4.7 s; 2026-11-22, bench/lib.mjs generateSuite, warm cache).
  if (cfg.target === 'model' && cfg.jobs <= 2) return 1;
  return count >= 2 * MIN_SCENARIOS_PER_WORKER[cfg.target] ? Math.min(cfg.jobs, Math.floor(count / MIN_SCENARIOS_PER_WORKER[cfg.target])) : 1;
}
