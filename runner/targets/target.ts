// A target runs a compiled scenario and reports what it observed. Targets know
// nothing about expectations: runner/evaluation/evaluate.ts judges observations against
// the scenario, the same way for every target.
import type { ObservationLog, Scenario, StartImage } from '../../schema/generated/types.js';

export interface TargetRunOptions {
  /** Kernel profile to model (model target); ignored by the host, which is what it is. */
  kernel: string;
  /** Snapshot after every step, not only at expect steps (mls diff). */
  trace: boolean;
  /** Wall-clock budget for the whole scenario; the target kills and reports `timeout` past it. */
  timeoutMs: number;
  /** Start the model from this image (the host executor's), instead of its default one. */
  image?: StartImage;
  /**
   * Machine settings the model runs with (`--setting`, or forced under fuzz/diff), below
   * the scenario's own `requires name=value`; the host ignores them: it is what it is.
   */
  settings?: Partial<Record<string, string>>;
  /** Host safety cap on bytes one scenario may lock or map (default 256 MiB). */
  hostLockCapBytes?: number;
  /** The run was interrupted (SIGINT, SIGTERM, SIGHUP): the host ends the running scenario at once (outcome `interrupted`). */
  signal?: AbortSignal;
}

/** Runs many scenarios on warm resources (the host: one long-lived supervisor). Close it when done. */
export interface TargetSession {
  run(scenario: Scenario, options: TargetRunOptions): Promise<ObservationLog>;
  close(): Promise<void>;
}

export type Availability = { ok: true } | { ok: false; reason: string };

export interface Target {
  readonly name: 'model' | 'host' | 'vm';
  /** Whether this target can run at all here (executor built, Linux, …). */
  available(): Promise<Availability>;
  /** Never throws for scenario problems: they end up in the log's outcome/message. */
  run(scenario: Scenario, options: TargetRunOptions): Promise<ObservationLog>;
  /** Optional: a session for batches; same results as run(), less start-up per scenario. */
  openSession?(): TargetSession;
}
