// The model target: runs a compiled scenario on runtime/ (a pure TypeScript model
// of the Linux mm, following a kernel profile) and reports what it observed in
// the same ObservationLog format as the host.
import type { ObservationLog, Scenario, StepObservation } from '../../schema/generated/types.js';
import { DEFAULT_IMAGE, RLIM_INFINITY, System, findProfile, loadEmpty, loadImage, profileCatalogue, profileProblem, type KernelProfile, type ProfileInfo } from '../../runtime/index.js';
import { Proc, ScenarioError } from './model/bindings.js';
import { executeStep, type World } from './model/execute.js';
import { stepReads } from '../evaluation/step-reads.js';
import { snapshot } from './model/observe.js';
import { applySettings, imageWithFilesystem } from './model/machine.js';
import { effectiveSettings, logSettings, settingsOfImage } from '../machine/settings.js';
import type { Availability, Target, TargetRunOptions } from './target.js';

/** Features the model does not simulate: scenarios requiring them are skipped. */
const UNMODELLED: Record<string, string> = {
  host: 'the scenario requires the host target',
};

/** A requirement the profile's kernel predates (the feature's syscall or flag does not exist there). */
function missingFeature(p: KernelProfile, requirement: string): string | undefined {
  const b = p.behaviour;
  if (requirement === 'droppable' && !b.mapDroppable) return `MAP_DROPPABLE arrived in v6.11; ${p.name} predates it`;
  if (requirement === 'memfd_secret' && !b.memfdSecret) return `memfd_secret arrived in v5.14; ${p.name} predates it`;
  if (requirement === 'io_uring' && !b.ioUring) return `io_uring arrived in v5.1; ${p.name} predates it`;
  return undefined;
}

/** Thrown by the checkpoint hook when the deadline passed inside a step. */
class ModelDeadline extends Error {
  constructor(readonly step: number) { super(`deadline passed in step ${step + 1}`); }
}

/** A limit as the host reports it: bytes, or `unlimited` (RLIM_INFINITY). */
const rlimitValue = (v: string): bigint => (v === 'unlimited' ? RLIM_INFINITY : BigInt(v));

export function runOnModel(scenario: Scenario, options: TargetRunOptions): ObservationLog {
  const profile = findProfile(options.kernel);
  const log: ObservationLog = { schemaVersion: 1, target: 'model', kernel: options.kernel, steps: [], outcome: 'completed' };
  if (!profile) return { ...log, outcome: 'error', message: `kernel profile ${options.kernel}: ${profileProblem(options.kernel)}` };
  for (const r of scenario.requires) {
    const why = UNMODELLED[r] ?? missingFeature(profile, r);
    if (why) return { ...log, outcome: 'skipped', skipReason: why };
  }
  const system = new System(profile);
  if (scenario.env.maxMapCount !== undefined) system.maxMapCount = scenario.env.maxMapCount;
  // The machine: defaults, the host's facts (diff, fuzz, record) or --setting, then the scenario's `requires`.
  const settings = effectiveSettings(settingsOfImage(options.image), options.settings, scenario.env.settings);
  applySettings(system, settings);
  log.settings = logSettings(settings);
  const image = scenario.env.image === 'empty' ? null : imageWithFilesystem(options.image ?? DEFAULT_IMAGE, settings);
  if (image) log.image = image;
  const procs = new Map<string, Proc>();
  const main = new Proc(system.newTask('main'));
  // The host's limits the executor starts with (diff, fuzz): vm.max_map_count and RLIMIT_MEMLOCK.
  const facts = options.image?.facts;
  if (facts?.maxMapCount !== undefined && scenario.env.maxMapCount === undefined) system.maxMapCount = facts.maxMapCount;
  if (facts?.memlock) main.task.rlimits.memlock = { cur: rlimitValue(facts.memlock.soft), max: rlimitValue(facts.memlock.hard) };
  if (image) loadImage(main.task, image); else loadEmpty(main.task);
  main.initialBrk = main.task.mm.brk;
  procs.set('main', main);
  const world: World = { system, procs, image, segments: new Map() };
  const started = Date.now();
  // The deadline holds inside a step too: an inline run (no worker to terminate) would
  // otherwise finish 15 M random writes before looking at the clock (runtime/checkpoint.ts).
  let current = 0;
  system.checkpoint.hook = () => { if (Date.now() - started > options.timeoutMs) throw new ModelDeadline(current); };
  for (let i = 0; i < scenario.steps.length; i++) {
    if (Date.now() - started > options.timeoutMs) {
      return { ...log, outcome: 'timeout', message: `the model ran past ${options.timeoutMs} ms at step ${i + 1}` };
    }
    current = i;
    const step = scenario.steps[i]!;
    const obs: StepObservation = { step: i, proc: step.proc };
    try {
      if (step.op !== 'expect') obs.result = executeStep(world, step);
      const p = procs.get(step.proc);
      if ((step.op === 'expect' || options.trace) && p?.task.alive) obs.snapshot = snapshot(p, stepReads(step));
      else if (step.op === 'expect') throw new ScenarioError(`process ${step.proc} does not exist or has exited`);
    } catch (e) {
      if (e instanceof ModelDeadline) {
        return { ...log, outcome: 'timeout', message: `the model ran past ${options.timeoutMs} ms in step ${e.step + 1} (stopped there)` };
      }
      if (obs.result) log.steps.push(obs);
      const where = `${step.loc.file}:${step.loc.line}:${step.loc.column}`;
      if (e instanceof ScenarioError) return { ...log, outcome: 'error', message: `${where}: ${e.message}` };
      return { ...log, outcome: 'error', message: `${where}: model error: ${e instanceof Error ? e.message : String(e)}` };
    }
    log.steps.push(obs);
  }
  return log;
}

export const modelTarget: Target & { profiles(): ProfileInfo[] } = {
  name: 'model',
  /** `mls list --kernels`: the registered profiles with a description and their source. */
  profiles: () => profileCatalogue(),
  async available(): Promise<Availability> { return { ok: true }; },
  async run(scenario: Scenario, options: TargetRunOptions): Promise<ObservationLog> { return runOnModel(scenario, options); },
};
