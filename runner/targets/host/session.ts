// A host session: one long-lived supervisor that runs scenarios back to back.
// Each scenario still gets a fresh process tree (`start`: a newly exec'd worker
// in its own process group and temp subdir; `done`: killed, reaped, removed),
// so isolation is that of a one-shot run, without spawning a supervisor per
// scenario. Scenarios are pipelined: their request lines are written as soon as
// they are submitted, and replies are read back in order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObservationLog, Scenario, StartImage, StepObservation } from '../../../schema/generated/types.js';
import type { TargetRunOptions } from '../target.js';
import type { Step } from './encode.js';
import { backingDevOf, filesFsOf, type BackingDev } from './backing-dev.js';
import { machineFacts } from './facts.js';
import { prepare, where, type Plan } from './plan.js';
import { hostFacts, type HostFacts } from './requirements.js';
import { startImage } from './proc-parse.js';
import { callResult, failText, replyVmas, sameSnapshot, snapshot } from './snapshot.js';
import { Supervisor, type Reply } from './supervisor.js';

/** CapBnd of a process (the executor's workers inherit the supervisor's bounding set). */
function boundingSet(pid: number | undefined): string | undefined {
  if (!pid) return undefined;
  try {
    return /^CapBnd:\s*([0-9a-f]{16})$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
  } catch {
    return undefined;
  }
}

/** The StartImage fields the temp dir's filesystem gives (each absent when the host cannot tell). */
type TempDirFs = Partial<BackingDev> & Pick<StartImage, 'filesFs'>;

/**
 * Where a session's supervisors run. The host's (the default) spawns the executor here and
 * kills scenario process groups itself; a vm guest's (runner/targets/vm/) boots a kernel whose
 * process ids mean nothing here, so it ends a scenario by restarting the guest.
 */
export interface SessionMachine {
  readonly target: ObservationLog['target'];
  /** What prepare() decides with (release, features, settings); the machine is running by then. */
  facts(): HostFacts;
  /** A new supervisor making scenario dirs under `dir` (a path of the machine). */
  startSupervisor(dir: string): Supervisor;
  /** The dir of this session's scenario dirs (made on first use); removed by cleanup(). */
  dir(): string;
  /** End a scenario's processes now (timeout, interrupt): `group` is the pgid `hello` gave. */
  killScenario(group: number, sup: Supervisor): void;
  /** End a supervisor and everything it started. */
  killSupervisor(sup: Supervisor): void;
  /** Ask a supervisor to finish (the host's exits at the end of its input; a guest is just ended). */
  closeSupervisor(sup: Supervisor): void;
  /** The StartImage fields the machine gives besides the VMAs (capabilities, files' filesystem, facts). */
  imageFacts(sup: Supervisor): Partial<StartImage>;
  /** Resolves when `sup` can take requests (a guest has booted): a scenario's time limit starts then. */
  ready?(sup: Supervisor): Promise<void>;
  /** Remove what dir() made; synchronous (also runs on process exit). */
  cleanup(): void;
}

export interface HostSessionOptions {
  executable: string;
  /** Called once per scenario when its processes exist (tests check cleanup with it). */
  onStart?: (info: { tmpDir: string; supervisorPid: number; workerGroup: number }) => void;
  /** Default: this machine (hostMachine). */
  machine?: SessionMachine;
}

/** This machine: the executor spawned here, scenario groups killed here. */
export function hostMachine(executable: string): SessionMachine {
  let tmpDir: string | undefined;
  let capBnd: { sup: Supervisor; value: string | undefined } | undefined;
  /** The temp dir's backing device, read from sysfs once per temp dir. */
  let bdi: { dir: string; value: TempDirFs } | undefined;
  return {
    target: 'host',
    facts: () => hostFacts(executable),
    startSupervisor: (dir) => Supervisor.spawn(executable, dir),
    dir: () => (tmpDir ??= mkdtempSync(join(tmpdir(), 'mls-host-'))),
    killScenario: (group) => Supervisor.killGroup(group), // the supervisor survives to reap them and go on
    killSupervisor: (sup) => sup.kill(),
    closeSupervisor: (sup) => sup.closeInput(),
    imageFacts(sup) {
      // The credentials the scenario starts with, as the layout: the model loads both.
      // Read once per supervisor: it never changes its own capabilities (scenario processes do, in their own).
      if (capBnd?.sup !== sup) capBnd = { sup, value: boundingSet(sup.child.pid) };
      const image: Partial<StartImage> = {};
      if (capBnd.value) image.capBnd = capBnd.value;
      // The filesystem the scenario's `file`s are created in (its temp subdir): readahead, tmpfs or not.
      const dir = tmpDir!;
      if (bdi?.dir !== dir) {
        const fs = filesFsOf(dir);
        bdi = { dir, value: { ...backingDevOf(dir), ...(fs ? { filesFs: fs } : {}) } };
      }
      Object.assign(image, bdi.value);
      // How this kernel behaves where kernels differ (zero page, pkeys, THP…): probed once per process.
      const facts = machineFacts(executable);
      if (facts) image.facts = facts;
      return image;
    },
    cleanup() {
      if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
      tmpDir = undefined;
    },
  };
}

export interface HostRunExtras {
  /** Tests: also take `snap full` after every snapshot and fail the run if they disagree. */
  checkSnapshots?: boolean;
}

/** How long a supervisor may stay silent after a timeout kill before it is killed too. */
const GRACE_MS = 2000;

/**
 * Sessions of this thread still open. If the process exits without closing them (a second Ctrl-C,
 * process.exit), their processes are killed and their temp dirs removed synchronously on the way out;
 * a driver killed outright is covered by the supervisor's parent-death signal (native/src/supervisor.c).
 */
const live = new Set<HostSession>();
let exitHook = false;
function onExit(): void {
  for (const s of live) s.abandon();
}

interface Job {
  scenario: Scenario;
  options: TargetRunOptions & HostRunExtras;
  plan: Plan;
  log: ObservationLog;
  resolve: (log: ObservationLog) => void;
  /** The supervisor the job's lines were written to. */
  sup?: Supervisor;
}

export class HostSession {
  private sup: Supervisor | undefined;
  private readonly m: SessionMachine;
  private readonly queue: Job[] = [];
  /** The job whose replies are being read. */
  private current: Job | undefined;
  private pumping = false;
  private closed = false;
  /** The process group of the scenario whose replies are being read (0: none yet). */
  private group = 0;

  constructor(private readonly o: HostSessionOptions) {
    this.m = o.machine ?? hostMachine(o.executable);
  }

  run(s: Scenario, options: TargetRunOptions & HostRunExtras): Promise<ObservationLog> {
    const target = this.m.target;
    const p = prepare(s, { ...options, executable: this.o.executable }, this.m.facts(), target);
    if ('log' in p) return Promise.resolve(p.log);
    if (this.closed) throw new Error(`${target} session is closed`);
    if (options.signal?.aborted) {
      return Promise.resolve({ schemaVersion: 1, target, kernel: p.kernel, settings: p.settings, steps: [], outcome: 'interrupted', message: 'interrupted before the scenario started' });
    }
    const log: ObservationLog = { schemaVersion: 1, target, kernel: p.kernel, settings: p.settings, steps: [], outcome: 'completed' };
    return new Promise((resolve) => {
      const job: Job = { scenario: s, options, plan: p.plan, log, resolve };
      this.queue.push(job);
      this.submit(job);
      if (!this.pumping) void this.pump();
    });
  }

  /** Ends the supervisor (and with it any scenario still running) and removes the temp dir. */
  async close(): Promise<void> {
    this.closed = true;
    live.delete(this);
    const sup = this.sup;
    this.sup = undefined;
    if (sup) {
      this.m.closeSupervisor(sup);
      const grace = setTimeout(() => this.m.killSupervisor(sup), GRACE_MS);
      await sup.exited;
      clearTimeout(grace);
      this.m.killSupervisor(sup);
    }
    this.m.cleanup();
  }

  /** The process is exiting: kill everything of this session and remove its temp dir, synchronously. */
  abandon(): void {
    this.closed = true;
    live.delete(this);
    if (this.sup) {
      this.m.killScenario(this.group, this.sup);
      this.m.killSupervisor(this.sup);
    }
    this.m.cleanup();
  }

  /** The live supervisor. A new one takes over, in order, the jobs written to a dead one (but the one being read). */
  private supervisor(): Supervisor {
    if (this.sup?.alive) return this.sup;
    const dead = this.sup;
    const dir = this.m.dir();
    live.add(this);
    if (!exitHook) { exitHook = true; process.on('exit', onExit); }
    this.sup = this.m.startSupervisor(dir);
    for (const j of this.queue) if (dead && j.sup === dead && j !== this.current) this.send(j, this.sup);
    return this.sup;
  }

  private send(job: Job, sup: Supervisor): void {
    job.sup = sup;
    sup.setRef(true);
    const start = (job.options.checkSnapshots ? 'start check' : 'start') + (job.plan.ipc ? ' ipc' : '')
      + (job.plan.hugePages ? ` hugetlb=${job.plan.hugePages}` : '') + (job.plan.hugetlbfs ? ' hugetlbfs' : '');
    sup.send([start, '0 image', ...job.plan.lines, 'done']);
  }

  private submit(job: Job): void {
    this.send(job, this.supervisor());
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    while (this.queue.length) {
      const job = this.queue[0]!;
      if (!job.sup?.alive) this.supervisor(); // written to a supervisor that died: rewritten to a new one
      this.current = job;
      const log = await this.consume(job, job.sup!);
      this.current = undefined;
      this.queue.shift();
      job.resolve(log);
    }
    this.pumping = false;
    this.sup?.setRef(false);
  }

  /** Read one scenario's replies (exactly as many as it has requests) into its log. */
  private async consume(job: Job, sup: Supervisor): Promise<ObservationLog> {
    const { log, plan, options: o } = job;
    const steps = job.scenario.steps as Step[];
    await this.m.ready?.(sup);
    let group = 0, timedOut = false, interrupted = false, ended = false;
    let grace: NodeJS.Timeout | undefined;
    const stop = (): void => {
      this.m.killScenario(group, sup);
      grace ??= setTimeout(() => this.m.killSupervisor(sup), GRACE_MS);
    };
    const timer = setTimeout(() => { timedOut = true; stop(); }, o.timeoutMs);
    // One Ctrl-C (SIGTERM, SIGHUP) ends the running scenario now, as a timeout would.
    const onAbort = (): void => { if (!timedOut) { interrupted = true; stop(); } };
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    /** Why the scenario's processes ended early, when the driver ended them. */
    const cut = (): { outcome: 'timeout' | 'interrupted'; text: string } | undefined =>
      timedOut ? { outcome: 'timeout', text: `timed out after ${o.timeoutMs} ms` }
        : interrupted ? { outcome: 'interrupted', text: 'interrupted' } : undefined;
    // Every request gets exactly one reply: start, image, the steps', done.
    let remaining = 3 + plan.kinds.reduce((n, k) => n + k.length, 0);
    const next = async (): Promise<Reply | undefined> => {
      if (ended || remaining === 0) return undefined;
      remaining--;
      return sup.next();
    };
    const finish = (outcome: ObservationLog['outcome'], message: string): void => {
      if (log.outcome !== 'completed') return; // the first verdict stands
      log.outcome = outcome;
      log.message = message;
    };
    try {
      const hello = await next();
      const helloBlock = hello?.find((b) => b.tag === 'hello');
      if (!hello || !helloBlock) {
        ended = !hello;
        const c = cut();
        if (c) finish(c.outcome, `${c.text} before the scenario's processes started`);
        else finish('error', `${this.m.target} executor did not start: ${(hello && failText(hello)) || sup.stderr.trim() || 'no output'}`);
        return log;
      }
      group = this.group = Number(helloBlock.data.toString());
      if (interrupted || timedOut) this.m.killScenario(group, sup); // the signal came before the group was known
      this.o.onStart?.({ tmpDir: this.m.dir(), supervisorPid: sup.child.pid ?? 0, workerGroup: group });
      const first = await next();
      if (!first) ended = true;
      else if (failText(first)) {
        // The scenario's first process could not report its image: nothing of the scenario ran yet.
        finish('error', `host executor: the scenario's first process failed before its first step: ${failText(first)}`);
      } else {
        const brk = first.find((b) => b.tag === 'brk')?.data.toString() ?? '0';
        const top = first.find((b) => b.tag === 'mmaptop')?.data.toString();
        const image: StartImage = log.image = startImage(replyVmas(first), brk, top);
        Object.assign(image, this.m.imageFacts(sup));
      }
      for (let i = 0; i < steps.length && !ended; i++) {
        const st = steps[i]!;
        const obs: StepObservation = { step: i, proc: st.proc };
        for (const kind of plan.kinds[i]!) {
          const reply = await next();
          if (!reply) ended = true;
          if (log.outcome !== 'completed') continue; // keep reading: the replies are already on their way
          const fail = reply && failText(reply);
          // After a timeout or interrupt kill the supervisor still answers (the process "ended during the step").
          const c = cut();
          if (!reply || (c && fail)) {
            finish(c ? c.outcome : 'error', c
              ? `${c.text} at ${where(st)} (${st.op}); the scenario's processes were killed`
              : `${this.m.target} executor ended unexpectedly at ${where(st)}: ${sup.stderr.trim() || 'no message'}`);
          } else if (fail) finish('error', `${where(st)}: ${st.op} in process ${st.proc}: ${fail}`);
          else if (kind === 'call') obs.result = callResult(reply);
          else if (kind === 'snap') obs.snapshot = snapshot(reply);
          else if (obs.snapshot) {
            const diff = sameSnapshot(obs.snapshot, snapshot(reply));
            if (diff) finish('error', `${where(st)}: snapshot differs from the reference form (snap full): ${diff}`);
          }
        }
        if (log.outcome === 'completed') log.steps.push(obs);
      }
      if (!ended && !(await next())) ended = true; // `done`: the scenario's processes are reaped
      const c = cut();
      if (ended && log.outcome === 'completed') {
        finish(c ? c.outcome : 'error', c
          ? `${c.text}; the scenario's processes were killed`
          : `${this.m.target} executor ended unexpectedly: ${sup.stderr.trim() || 'no message'}`);
      } else if (c?.outcome === 'interrupted' && log.outcome === 'completed') {
        // The signal came after the last step: the scenario ran whole, but the run still says it was cut.
        finish('interrupted', 'interrupted after the last step');
      }
      return log;
    } finally {
      // An early verdict leaves replies on their way: read them so the next job stays in frame.
      while (!ended && remaining > 0) if (!(await next())) ended = true;
      clearTimeout(timer);
      clearTimeout(grace);
      o.signal?.removeEventListener('abort', onAbort);
      this.group = 0;
      if (ended) {
        // The supervisor is gone (killed or crashed): make sure its scenario went with it.
        this.m.killScenario(group, sup);
        this.m.killSupervisor(sup);
      }
    }
  }
}
