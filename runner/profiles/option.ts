// `--kernel` against the profile registry (runtime/kernels.ts). Its own module
// so that runs without --kernel never load the registry.
import { profileNames, profileProblem } from '../../runtime/kernels.js';
import { UsageError } from '../args.js';
import { defaultKernel } from './default.js';

/**
 * `--kernel`: one profile, a comma list, or `all` (every registered profile). Without
 * it: the host's base version with --target host, linux-6.18 otherwise. The host
 * target runs what it is, so only the model validates names.
 */
export function parseKernels(text: string | undefined, target: 'model' | 'host' | 'vm'): string[] {
  if (text === undefined) return [defaultKernel(target)];
  const names = text === 'all' ? profileNames() : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new UsageError(`--kernel needs a profile name, a comma list or 'all'`);
  if (target !== 'model' && names.length > 1) throw new UsageError(`--target ${target} runs one real kernel: give at most one --kernel`);
  if (target === 'model') {
    for (const n of names) {
      const why = profileProblem(n);
      if (why) throw new UsageError(`--kernel ${n}: ${why} (mls list --kernels)`);
    }
  }
  return [...new Set(names)];
}
