// Run one scenario on the host kernel: check requirements and the safety cap,
// start the supervisor in a private temp dir, pipeline every step, collect the
// observations, and always clean up (kill the process groups, remove the dir).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObservationLog, Scenario, StartImage, StepObservation } from '../../../schema/generated/types.js';
import type { TargetRunOptions } from '../target.js';
import { EncodeError, encodeFork, encodeStep, type Step } from './encode.js';
import { checkLockCap, DEFAULT_LOCK_CAP } from './lock-cap.js';
import { parseSmaps, startImage } from './proc-parse.js';
import { hostFacts, skipReason } from './requirements.js';
import { callResult, failText, snapshot } from './snapshot.js';
import { Supervisor } from './supervisor.js';

export interface HostRunOptions extends TargetRunOptions {
  executable: string;
  /** Called with the temp dir and process groups once started (tests use it to check cleanup). */
  onStart?: (info: { tmpDir: string; supervisorPid: number; workerGroup: number }) => void;
}

const where = (st: Step): string => `${st.loc.file}:${st.loc.line}:${st.loc.column}`;

/** One request per step (expect: `snap`), plus a `snap` after every call when tracing. */
function plan(s: Scenario, trace: boolean): { lines: string[]; kinds: ('call' | 'snap')[][] } | { error: string } {
  const procIndex = new Map(s.processes.map((p, i) => [p, i]));
  const lines: string[] = ['0 image'];
  const kinds: ('call' | 'snap')[][] = [];
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
    lines.push(`${idx} ${line}`);
    if (st.op === 'expect') kinds.push(['snap']);
    else if (trace && st.op !== 'exit') { lines.push(`${idx} snap`); kinds.push(['call', 'snap']); }
    else kinds.push(['call']);
  }
  return { lines, kinds };
}

export async function runOnHost(s: Scenario, o: HostRunOptions): Promise<ObservationLog> {
  const facts = hostFacts(o.executable);
  const log: ObservationLog = { schemaVersion: 1, target: 'host', kernel: facts.release, steps: [], outcome: 'completed' };
  const skip = skipReason(s, facts);
  if (skip) return { ...log, outcome: 'skipped', skipReason: skip };
  const cap = checkLockCap(s, o.hostLockCapBytes ?? DEFAULT_LOCK_CAP);
  if (cap) return { ...log, outcome: 'error', message: cap.message };
  const p = plan(s, o.trace);
  if ('error' in p) return { ...log, outcome: 'error', message: p.error };

  const tmpDir = mkdtempSync(join(tmpdir(), 'mls-host-'));
  const sup = new Supervisor(o.executable, tmpDir);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    Supervisor.killGroup(sup.workerGroup); // the supervisor survives to reap them
    sup.closeInput();
    setTimeout(() => Supervisor.killGroup(sup.child.pid ?? 0), 1000).unref();
  }, o.timeoutMs);
  try {
    if (!(await sup.hello())) {
      return { ...log, outcome: 'error', message: `host executor did not start: ${sup.stderr.trim() || 'no output'}` };
    }
    o.onStart?.({ tmpDir, supervisorPid: sup.child.pid ?? 0, workerGroup: sup.workerGroup });
    sup.send(p.lines);
    const first = await sup.next();
    if (first) {
      const smaps = first.filter((b) => b.tag === 'smaps').map((b) => b.data.toString()).join('');
      const brk = first.find((b) => b.tag === 'brk')?.data.toString() ?? '0';
      log.image = startImage(parseSmaps(smaps), brk) satisfies StartImage;
    }
    const steps = s.steps as Step[];
    for (let i = 0; i < steps.length; i++) {
      const st = steps[i]!;
      const obs: StepObservation = { step: i, proc: st.proc };
      for (const kind of p.kinds[i]!) {
        const reply = await sup.next();
        // After a timeout kill the supervisor still answers (the process "ended during the step").
        if (!reply || timedOut) {
          log.outcome = timedOut ? 'timeout' : 'error';
          log.message = timedOut
            ? `timed out after ${o.timeoutMs} ms at ${where(st)} (${st.op}); the scenario's processes were killed`
            : `host executor ended unexpectedly at ${where(st)}: ${sup.stderr.trim() || 'no message'}`;
          return log;
        }
        const fail = failText(reply);
        if (fail) {
          log.outcome = 'error';
          log.message = `${where(st)}: ${st.op} in process ${st.proc}: ${fail}`;
          return log;
        }
        if (kind === 'call') obs.result = callResult(reply);
        else obs.snapshot = snapshot(reply);
      }
      log.steps.push(obs);
    }
    return log;
  } finally {
    clearTimeout(timer);
    sup.closeInput();
    // Normal end: the supervisor closes every control socket, the workers exit
    // and it reaps them. Give it a moment, then make sure nothing survives.
    const grace = setTimeout(() => { Supervisor.killGroup(sup.workerGroup); Supervisor.killGroup(sup.child.pid ?? 0); }, 2000);
    await sup.exited;
    clearTimeout(grace);
    Supervisor.killGroup(sup.workerGroup);
    rmSync(tmpDir, { recursive: true, force: true });
  }
}
