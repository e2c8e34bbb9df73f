// The kernel profile a run uses without --kernel (no registry needed to name it).
import { release } from 'node:os';

export const DEFAULT_KERNEL = 'linux-6.18';

/** The host's kernel as a base profile name (`uname -r` 6.18.44 → linux-6.18). */
export function hostKernel(): string {
  const m = /^(\d+)\.(\d+)/.exec(release());
  return m ? `linux-${m[1]}.${m[2]}` : DEFAULT_KERNEL;
}

/** Without --kernel: the host's base version with --target host, linux-6.18 otherwise (a vm names its kernel as it boots). */
export function defaultKernel(target: 'model' | 'host' | 'vm'): string {
  return target === 'host' ? hostKernel() : DEFAULT_KERNEL;
}
