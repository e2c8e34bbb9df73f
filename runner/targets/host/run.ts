// Run one scenario on the host kernel as a session of its own: start a
// supervisor in a private temp dir, run the scenario, and always clean up
// (kill the process groups, remove the dir). Batches use HostSession directly.
import type { ObservationLog, Scenario } from '../../../schema/generated/types.js';
import type { TargetRunOptions } from '../target.js';
import { HostSession, type HostRunExtras, type HostSessionOptions } from './session.js';

export interface HostRunOptions extends TargetRunOptions, HostRunExtras {
  executable: string;
  /** Called with the temp dir and process groups once started (tests use it to check cleanup). */
  onStart?: HostSessionOptions['onStart'];
}

export async function runOnHost(s: Scenario, o: HostRunOptions): Promise<ObservationLog> {
  const session = new HostSession({ executable: o.executable, ...(o.onStart ? { onStart: o.onStart } : {}) });
  try {
    return await session.run(s, o);
  } finally {
    await session.close();
  }
}
