// A scenario as executor request lines (protocol: SPEC.md "Host target"),
// decided before anything runs: SKIP reasons, the lock cap, encoding errors.
import type { ObservationLog, Scenario } from '../../../schema/generated/types.js';
import { EncodeError, encodeFork, encodeStep, usesShm, type Step } from './encode.js';
import { checkLockCap, DEFAULT_LOCK_CAP } from './lock-cap.js';
import { logSettings } from '../../machine/settings.js';
import { hostFacts, hostSettings, hugePagesNeeded, skipReason, type HostFacts } from './requirements.js';

export type ReplyKind = 'call' | 'snap' | 'check';

export interface Plan {
  /** Request lines of the steps (`<proc> <request>`), without start/image/done. */
  lines: string[];
  /** Per step, the replies it gets, in order. */
  kinds: ReplyKind[][];
  /** System V shm steps: the scenario starts in a private IPC namespace (`start … ipc`). */
  ipc: boolean;
  /** Huge pages the supervisor adds to the pool for the scenario (`start … hugetlb=N`), and a hugetlbfs mount (`hugetlbfs`). */
  hugePages?: number;
  hugetlbfs?: boolean;
}

export interface PlanOptions {
  trace: boolean;
  hostLockCapBytes?: number | undefined;
  /** Tests: after every snapshot also take the reference form (`snap full`) and require equal observations. */
  checkSnapshots?: boolean | undefined;
}

export const where = (st: Step): string => `${st.loc.file}:${st.loc.line}:${st.loc.column}`;

/** One request per step (expect: `snap`), plus a `snap` after every call when tracing. */
export function plan(s: Scenario, o: PlanOptions): Plan | { error: string } {
  const procIndex = new Map(s.processes.map((p, i) => [p, i]));
  const lines: string[] = [];
  const kinds: ReplyKind[][] = [];
  for (const st of s.steps as Step[]) {
    const idx = procIndex.get(st.proc);
    if (idx === undefined) return { error: `${where(st)}: process ${st.proc} is not in the scenario's process list` };
    let line: string;
    try {
      if (st.op === 'fork') {
        const child = procIndex.get(st.child);
        if (child === undefined) return { error: `${where(st)}: process ${st.child} is not in the scenario's process list` };
        line = encodeFork(child);
      } else line = encodeStep(st);
    } catch (e) {
      if (e instanceof EncodeError) return { error: `${where(st)}: ${e.message}` };
      throw e;
    }
    // A call traced with a snapshot is one request, `+<call>`: two replies, one round trip.
    const k: ReplyKind[] = [];
    const snap = st.op === 'expect' || (o.trace && st.op !== 'exit');
    if (st.op !== 'expect') { lines.push(`${idx} ${snap ? '+' : ''}${line}`); k.push('call'); }
    else lines.push(`${idx} ${line}`);
    if (snap) {
      k.push('snap');
      // The reference form reads what the step's own snapshot reads (`snap pages` → `snap full pages`).
      if (o.checkSnapshots) { lines.push(`${idx} ${st.op === 'expect' ? line.replace(/^snap/, 'snap full') : 'snap full'}`); k.push('check'); }
    }
    kinds.push(k);
  }
  return { lines, kinds, ipc: s.steps.some(usesShm) };
}

/** The log of a run that never starts (skipped, refused, not encodable), or the plan to run. */
export function prepare(
  s: Scenario, o: PlanOptions & { executable: string }, facts: HostFacts = hostFacts(o.executable), target: ObservationLog['target'] = 'host',
): { log: ObservationLog } | { plan: Plan; kernel: string; settings: ObservationLog['settings'] } {
  const settings = logSettings(hostSettings(facts));
  const log: ObservationLog = { schemaVersion: 1, target, kernel: facts.release, settings, steps: [], outcome: 'completed' };
  const skip = skipReason(s, facts);
  if (skip) return { log: { ...log, outcome: 'skipped', skipReason: skip } };
  const cap = checkLockCap(s, o.hostLockCapBytes ?? DEFAULT_LOCK_CAP, facts.machine);
  if (cap) return { log: { ...log, outcome: 'error', message: cap.message, errorStep: cap.step } };
  const p = plan(s, o);
  if ('error' in p) return { log: { ...log, outcome: 'error', message: p.error } };
  const huge = hugePagesNeeded(s);
  if (facts.uid === 0 && huge.pages > 0) p.hugePages = huge.pages;
  if (huge.hugetlbfs) p.hugetlbfs = true;
  return { plan: p, kernel: facts.release, settings };
}
