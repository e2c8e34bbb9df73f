// One fuzzing run: generate scenario i of the seeded stream, run it on host and
// model with bounded parallelism, group divergences by signature, shrink the
// first scenario of every new signature and write its regression .mls.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import type { Target, TargetSession } from '../targets/target.js';
import { ChoiceStream, type Choice } from './choices.js';
import type { Coverage } from './coverage.js';
import { signature, type Divergence } from '../comparison/compare-logs.js';
import { materialize, type MaterializeOptions } from './materialize.js';
import { hostTrouble, runPair, type PairResult } from './pair.js';
import { shrinkChoices } from './shrink.js';
import { writeRegression, type Written } from './write.js';

export interface FuzzConfig {
  seed: number;
  /** Stop after this many scenarios (undefined: until timeSec or aborted). */
  count?: number;
  timeSec?: number;
  jobs: number;
  kernel: string;
  timeoutMs: number;
  /** Shrink each new divergence to a minimal scenario (`--no-shrink`: false). */
  shrink: boolean;
  /** Where regressions are written (`--out`); undefined: reported only, nothing written. */
  outDir?: string;
  shrinkEvaluations: number;
  /** `--setting`: the model runs as on a machine with these, not as the host (shows a setting's code path is reached). */
  settings?: Partial<Record<string, string>>;
  /** What the generator must respect about the host (default: probed with hostEnv()). */
  env?: MaterializeOptions;
  model: Target;
  host: Target;
  signal?: AbortSignal;
  /** Counts what each generated scenario exercises (runner/fuzz/coverage.ts); shrink candidates are not counted. */
  coverage?: Coverage;
  onProgress?: (p: Progress) => void;
  onFinding?: (f: Finding) => void;
  /** Called once, with the first host run's start image (its facts say what the model cannot follow). */
  onHostImage?: (image: NonNullable<ObservationLog['image']>) => void;
}

export interface Progress {
  run: number;
  divergent: number;
  unique: number;
  elapsedMs: number;
  /** Host runs that ended in error or timeout while the model went on (executor trouble, not divergences). */
  hostErrors: number;
  /** Runs both targets stopped at the same step (a region whose mmap failed was used later): valid, just short. */
  stoppedEarly: number;
  /** Divergent runs the kernel did not repeat: a rerun of the same scenario agreed with the model (see `confirmRuns`). */
  unstable: number;
}

/** A divergence the kernel itself did not repeat on rerun: the host is not deterministic there. */
export interface Unstable {
  signature: string;
  index: number;
  count: number;
  first: Divergence;
  /** Reruns it took until the host agreed with the model. */
  rerun: number;
}

export interface Finding {
  signature: string;
  index: number;
  /** How many scenarios of the run showed it first. */
  count: number;
  first: Divergence;
  minimal?: { choices: Choice[]; scenario: Scenario; divergence: Divergence; evaluations: number; written?: Written; writeError?: string };
}

export interface FuzzReport extends Progress {
  findings: Finding[];
  unstables: Unstable[];
}

/**
 * A divergence is confirmed by running the scenario on the host (and the model, from the
 * rerun's own image) this many more times: it counts only if every rerun diverges with the
 * same signature. Races in the kernel (per-CPU LRU batches that MADV_PAGEOUT cannot isolate,
 * SPEC III.10) show up as a result the kernel does not repeat; those are reported apart.
 */
export const CONFIRM_RUNS = 2;

/** CAP_SYS_RESOURCE missing from this process's permitted set (the executor inherits it): a container. */
export function hostEnv(): MaterializeOptions {
  let prm = 0n;
  try {
    prm = BigInt('0x' + (/^CapPrm:\s+([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'));
  } catch { /* not Linux: the host target is unavailable anyway */ }
  return { noSysResource: ((prm >> 24n) & 1n) === 0n };
}

function firstSignature(s: Scenario, r: PairResult): { sig: string; d: Divergence } | undefined {
  const d = r.divergences[0];
  return d ? { sig: signature(d, s), d } : undefined;
}

export async function fuzzRun(cfg: FuzzConfig): Promise<FuzzReport> {
  const stream = new ChoiceStream(cfg.seed);
  const env = cfg.env ?? hostEnv();
  const started = Date.now();
  const findings = new Map<string, Finding>();
  const unstables = new Map<string, Unstable>();
  const p: Progress = { run: 0, divergent: 0, unique: 0, elapsedMs: 0, hostErrors: 0, stoppedEarly: 0, unstable: 0 };
  let next = 0;
  let imageSeen = false;
  const more = (): boolean =>
    !cfg.signal?.aborted && (cfg.count === undefined || next < cfg.count) &&
    (cfg.timeSec === undefined || Date.now() - started < cfg.timeSec * 1000);
  const pairOpts = { kernel: cfg.kernel, timeoutMs: cfg.timeoutMs, ...(cfg.settings ? { settings: cfg.settings } : {}) };

  // Host runs go through long-lived sessions (one supervisor per core, many
  // scenarios each, pipelined) when the target offers them.
  const nSessions = Math.max(1, Math.min(cfg.jobs, availableParallelism()));
  const sessions: TargetSession[] = cfg.host.openSession ? Array.from({ length: nSessions }, () => cfg.host.openSession!()) : [];
  const hostFor = (w: number): Pick<Target, 'run'> => sessions[w % sessions.length] ?? cfg.host;

  const shrinkAndWrite = async (f: Finding, choices: Choice[], first: PairResult, scenario: Scenario, host: Pick<Target, 'run'>): Promise<void> => {
    const origin = materialize(choices, scenario.name, undefined, env).origin;
    const test = async (cand: Choice[]) => {
      const m = materialize(cand, scenario.name, undefined, env);
      const r = await runPair(m.scenario, cfg.model, host, pairOpts);
      const s = firstSignature(m.scenario, r);
      if (!s || s.sig !== f.signature) return undefined;
      return { witness: { r, m, d: s.d }, cutAfter: s.d.step >= 0 ? m.origin[s.d.step] : undefined };
    };
    const start = { witness: { r: first, m: { scenario, origin }, d: f.first }, cutAfter: f.first.step >= 0 ? origin[f.first.step] : undefined };
    const out = await shrinkChoices(choices, start, test, cfg.shrinkEvaluations, cfg.signal);
    const { r, m, d } = out.witness;
    f.minimal = { choices: out.choices, scenario: m.scenario, divergence: d, evaluations: out.evaluations };
    {
      try {
        f.minimal.written = await writeRegression(cfg.outDir, m.scenario, r, f.signature, { seed: cfg.seed, index: f.index }, cfg);
      } catch (e) {
        f.minimal.writeError = e instanceof Error ? e.message : String(e);
      }
    }
  };

  /** 0 when every rerun diverges the same way; else the number of the rerun that did not. */
  const unrepeated = async (scenario: Scenario, sig: string, host: Pick<Target, 'run'>): Promise<number> => {
    for (let k = 1; k <= CONFIRM_RUNS; k++) {
      const again = await runPair(scenario, cfg.model, host, pairOpts);
      if (again.host.outcome === 'skipped' || hostTrouble(again.host)) continue;
      if (firstSignature(scenario, again)?.sig !== sig) return k;
    }
    return 0;
  };

  const worker = async (w: number): Promise<void> => {
    const host = hostFor(w);
    while (more()) {
      const index = next++;
      const choices = stream.at(index);
      const { scenario } = materialize(choices, `fuzz seed ${cfg.seed} #${index}`, undefined, env);
      cfg.coverage?.add(scenario);
      const r = await runPair(scenario, cfg.model, host, pairOpts);
      p.run++;
      if (!imageSeen && r.host.image) { imageSeen = true; cfg.onHostImage?.(r.host.image); }
      if (r.host.outcome === 'error' || r.host.outcome === 'timeout') {
        if (r.model.outcome === 'error' && r.model.steps.length === r.host.steps.length) p.stoppedEarly++;
        else p.hostErrors++;
      }
      const s = firstSignature(scenario, r);
      const rerun = s ? await unrepeated(scenario, s.sig, host) : 0;
      if (s && rerun) {
        p.unstable++;
        const known = unstables.get(s.sig);
        if (known) known.count++;
        else unstables.set(s.sig, { signature: s.sig, index, count: 1, first: s.d, rerun });
      } else if (s) {
        p.divergent++;
        const known = findings.get(s.sig);
        if (known) known.count++;
        else {
          const f: Finding = { signature: s.sig, index, count: 1, first: s.d };
          findings.set(s.sig, f);
          p.unique++;
          if (cfg.shrink) await shrinkAndWrite(f, choices, r, scenario, host);
          cfg.onFinding?.(f);
        }
      }
      p.elapsedMs = Date.now() - started;
      cfg.onProgress?.({ ...p });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, cfg.jobs) }, (_, w) => worker(w)));
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
  p.elapsedMs = Date.now() - started;
  return { ...p, findings: [...findings.values()], unstables: [...unstables.values()] };
}
