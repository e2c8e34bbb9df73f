// Write a minimal divergence as a regression .mls and prove it: compiled back,
// it must pass on the host (its expectations are the kernel's values) and, for
// it to be worth keeping, fail on the model.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../../schema/generated/types.js';
import { compileSource } from '../../grammar/compile.js';
import { printScenario } from '../../grammar/print.js';
import { evaluate } from '../evaluation/evaluate.js';
import type { Target } from '../targets/target.js';
import type { PairResult } from './pair.js';
import { regressionScenario } from './emit.js';

export interface Written {
  /** Where it was written; undefined when not kept or no directory was given (--out). */
  path: string | undefined;
  /** A regression: the kernel passes it and the model does not (written when there is a directory). */
  keep: boolean;
  /** Its file name (a slug of the signature). */
  name: string;
  text: string;
  /** Outcome of the written file on each target (PASS/FAIL/ERROR/SKIP). */
  host: string;
  model: string;
}

export function slug(sig: string): string {
  return sig.toLowerCase().replace(/\[\]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}

export async function writeRegression(
  outDir: string | undefined, s: Scenario, r: PairResult, sig: string, origin: { seed: number; index: number },
  cfg: { kernel: string; timeoutMs: number; model: Target; host: Target },
): Promise<Written> {
  const d = r.divergences[0]!;
  const about = [
    `Found by mls fuzz --seed ${origin.seed} (scenario #${origin.index}), shrunk; expectations observed on linux ${r.host.kernel}.`,
    `Divergence: ${sig}`,
    `At step ${d.step + 1}: ${d.path}: model ${JSON.stringify(d.a)}, kernel ${JSON.stringify(d.b)}`,
  ];
  const reg = regressionScenario(s, r.host, r.divergences, { name: `fuzz: ${sig}`, about, profile: cfg.kernel });
  const name = `${slug(sig)}.mls`;
  const path = join(outDir ?? '.', name);
  const text = printScenario(reg);
  const compiled = compileSource(text, path);
  if (!compiled.scenario) {
    const why = compiled.messages.map((m) => `${m.location?.line ?? 0}: ${m.text}`).join('; ');
    throw new Error(`fuzz: the regression for "${sig}" does not compile (${why}):\n${text}`);
  }
  const base = { kernel: cfg.kernel, trace: false, timeoutMs: cfg.timeoutMs };
  const hostLog = await cfg.host.run(compiled.scenario, base);
  // As `mls run` would: the model from its own default image.
  const modelLog = await cfg.model.run(compiled.scenario, base);
  const host = evaluate(compiled.scenario, hostLog, cfg.kernel).outcome;
  const model = evaluate(compiled.scenario, modelLog, cfg.kernel).outcome;
  // Only a file that the kernel passes and the model fails is a regression worth keeping.
  const keep = host === 'PASS' && model !== 'PASS';
  // Only where the user asked (--out): a checkout on a host the model does not match would fill with wrong "regressions".
  const write = keep && outDir !== undefined;
  if (write) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path, text);
  }
  return { path: write ? path : undefined, keep, name, text, host, model };
}
