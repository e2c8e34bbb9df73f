// Options shared by run and watch, validated once into a RunConfig.
import { resolve } from 'node:path';
import { UsageError, intOption, stringOption } from './args.js';
import type { CommandContext } from './commands/types.js';
import { parseShard, type Shard } from './discover.js';
import type { FileJob } from './execute.js';
import { defaultJobs } from './options.js';
import { compilerVersion } from './version.js';

export const DEFAULT_KERNEL = 'linux-6.18';
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface RunConfig {
  target: 'model' | 'host';
  kernel: string;
  jobs: number;
  timeoutMs: number;
  filter?: string;
  cacheDir?: string;
  bail: number;
  shard?: Shard;
  passWithNoTests: boolean;
}

export function timeoutMultiplier(env: NodeJS.ProcessEnv): number {
  const raw = env['MLS_TIMEOUT_MUL'];
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`MLS_TIMEOUT_MUL must be a positive number, got '${raw}'`);
  return n;
}

export function runConfig(ctx: CommandContext): RunConfig {
  const o = ctx.options;
  const target = stringOption(o, 'target') ?? 'model';
  if (target !== 'model' && target !== 'host') throw new UsageError(`--target must be model or host, got '${target}'`);
  const kernel = stringOption(o, 'kernel') ?? DEFAULT_KERNEL;
  if (kernel === 'all' || kernel.includes(',')) {
    throw new UsageError(`--kernel ${kernel}: running several profiles at once is not supported yet; give one profile`);
  }
  const filter = stringOption(o, 'filter');
  if (filter !== undefined) {
    try {
      new RegExp(filter);
    } catch (e) {
      throw new UsageError(`--filter: invalid regular expression: ${(e as Error).message}`);
    }
  }
  const shardText = stringOption(o, 'shard');
  const shard = shardText !== undefined ? parseShard(shardText) : undefined;
  if (shardText !== undefined && !shard) throw new UsageError(`--shard needs i/n with 1 ≤ i ≤ n, got '${shardText}'`);
  const cacheDir = o['no-cache'] ? undefined : resolve(ctx.io.cwd, stringOption(o, 'cache-dir') ?? '.mls-cache');
  return {
    target, kernel,
    jobs: intOption(o, 'jobs', defaultJobs()),
    timeoutMs: Math.round(intOption(o, 'timeout', DEFAULT_TIMEOUT_MS) * timeoutMultiplier(ctx.io.env)),
    bail: o['bail'] === undefined ? 0 : intOption(o, 'bail', 1),
    passWithNoTests: o['pass-with-no-tests'] === true,
    ...(filter !== undefined ? { filter } : {}),
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    ...(shard ? { shard } : {}),
  };
}

export function makeJob(cfg: RunConfig, file: { file: string; absPath: string }): FileJob {
  return {
    file: file.file, absPath: file.absPath, target: cfg.target, kernel: cfg.kernel, timeoutMs: cfg.timeoutMs,
    compilerVersion: compilerVersion(),
    ...(cfg.filter !== undefined ? { filter: cfg.filter } : {}),
    ...(cfg.cacheDir !== undefined ? { cacheDir: cfg.cacheDir } : {}),
  };
}
