// Warm target sessions for one thread (the inline lane or one worker): a
// target that offers sessions (the host: one long-lived supervisor running
// scenarios back to back, each in a fresh process tree) is opened once and
// reused for every scenario this thread runs, instead of a supervisor per
// scenario. The owner of the thread's work closes them when it is done.
import type { Target, TargetSession } from './targets/target.js';

const open = new Map<Target['name'], TargetSession>();

/** The thread's session of `target`, or the target itself when it has none. */
export function runnerFor(target: Target): Pick<Target, 'run'> {
  if (!target.openSession) return target;
  let s = open.get(target.name);
  if (!s) {
    s = target.openSession();
    open.set(target.name, s);
  }
  return s;
}

/** Close every session this thread opened (their supervisors exit, temp dirs go). Never throws. */
export async function closeSessions(): Promise<void> {
  const all = [...open.values()];
  open.clear();
  await Promise.all(all.map((s) => s.close().catch(() => undefined)));
}
