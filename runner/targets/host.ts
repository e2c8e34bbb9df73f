// The host target: runs scenarios on the machine's own kernel through the
// native executor (native/, protocol in SPEC.md "Host target").
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import { runOnHost } from './host/run.js';
import { HostSession } from './host/session.js';
import type { Availability, Target, TargetRunOptions, TargetSession } from './target.js';

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
  const unavailable = async (): Promise<ObservationLog | undefined> => {
    const a = await target.available();
    return a.ok ? undefined : { schemaVersion: 1, target: 'host', kernel: 'unknown', steps: [], outcome: 'skipped', skipReason: a.reason };
  };
  const target: Target = {
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
      return (await unavailable()) ?? runOnHost(scenario, { ...options, executable });
    },
    /** One supervisor for many scenarios, each in a fresh process tree (host/session.ts). */
    openSession(): TargetSession {
      let session: HostSession | undefined;
      return {
        async run(scenario: Scenario, options: TargetRunOptions): Promise<ObservationLog> {
          // Checked until the session starts (not per scenario: a stat per run): its supervisor is the executable.
          if (!session) {
            const skip = await unavailable();
            if (skip) return skip;
            session = new HostSession({ executable });
          }
          return session.run(scenario, options);
        },
        async close(): Promise<void> {
          await session?.close();
        },
      };
    },
  };
  return target;
}

export const hostTarget: Target = createHostTarget();
