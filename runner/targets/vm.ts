// The vm target: scenarios on a kernel image booted under QEMU (runner/targets/vm/),
// through the host's executor and session logic with a guest as the machine.
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import { executablePath } from './host.js';
import { HostSession } from './host/session.js';
import type { Availability, Target, TargetRunOptions, TargetSession } from './target.js';
import type { VmConfig } from './vm/config.js';
import { VmMachine } from './vm/machine.js';

export function createVmTarget(config: VmConfig, executable = executablePath()): Target {
  const init = join(dirname(executable), 'mls-init');
  const available = async (): Promise<Availability> => {
    if (process.platform !== 'linux' || process.arch !== 'x64') return { ok: false, reason: `the vm target needs x86-64 Linux (this is ${process.platform}/${process.arch})` };
    for (const [what, path] of [['executor', executable], ['guest init', init]] as const) {
      if (!existsSync(path)) return { ok: false, reason: `the ${what} is not built (${path} is missing): run \`node native/build.mjs\` and read its message` };
    }
    if (!existsSync(config.qemu)) return { ok: false, reason: `no qemu at ${config.qemu}` };
    return { ok: true };
  };
  const skipped = (reason: string): ObservationLog => ({ schemaVersion: 1, target: 'vm', kernel: 'unknown', steps: [], outcome: 'skipped', skipReason: reason });
  const error = (message: string): ObservationLog => ({ schemaVersion: 1, target: 'vm', kernel: 'unknown', steps: [], outcome: 'error', message });
  const openSession = (): TargetSession => {
    let machine: VmMachine | undefined;
    /** The session once the first guest is up (scenarios submitted meanwhile wait for it), or why it is not. */
    let starting: Promise<HostSession | string> | undefined;
    const start = async (): Promise<HostSession | string> => {
      const a = await available();
      if (!a.ok) return a.reason;
      machine = new VmMachine({ config, executor: executable, init });
      try {
        await machine.boot();
      } catch (e) {
        machine.cleanup();
        return `the vm guest did not start (${config.kernelImage}): ${(e as Error).message}`;
      }
      return new HostSession({ executable, machine });
    };
    return {
      async run(scenario: Scenario, options: TargetRunOptions): Promise<ObservationLog> {
        const session = await (starting ??= start());
        if (typeof session === 'string') return machine ? error(session) : skipped(session);
        return session.run(scenario, options);
      },
      async close(): Promise<void> {
        const session = await starting;
        if (typeof session !== 'string') await session?.close();
        machine?.cleanup();
      },
    };
  };
  return {
    name: 'vm',
    available,
    /** One guest per scenario: what a session does, for one. */
    async run(scenario: Scenario, options: TargetRunOptions): Promise<ObservationLog> {
      const s = openSession();
      try { return await s.run(scenario, options); } finally { await s.close(); }
    },
    openSession,
  };
}
