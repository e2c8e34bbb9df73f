// The host target: runs scenarios on the machine's own kernel through the
// native executor (native/, protocol in SPEC.md "Host target").
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import { runOnHost } from './host/run.js';
import type { Availability, Target, TargetRunOptions } from './target.js';

/** native/build/mls-exec, from the source tree or from dist/. */
export function executablePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'native', 'build', 'mls-exec');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'native', 'build', 'mls-exec');
}

export function createHostTarget(executable = executablePath()): Target {
  return {
    name: 'host',
    async available(): Promise<Availability> {
      if (process.platform !== 'linux') return { ok: false, reason: `the host target needs Linux (this is ${process.platform})` };
      if (process.arch !== 'x64') return { ok: false, reason: `the host executor speaks x86_64 syscall numbers (this is ${process.arch})` };
      if (!existsSync(executable)) {
        return { ok: false, reason: `host executor not built (${executable} is missing): run \`node native/build.mjs\` and read its message` };
      }
      return { ok: true };
    },
    async run(scenario: Scenario, options: TargetRunOptions): Promise<ObservationLog> {
      const a = await this.available();
      if (!a.ok) {
        return { schemaVersion: 1, target: 'host', kernel: 'unknown', steps: [], outcome: 'skipped', skipReason: a.reason };
      }
      return runOnHost(scenario, { ...options, executable });
    },
  };
}

export const hostTarget: Target = createHostTarget();
