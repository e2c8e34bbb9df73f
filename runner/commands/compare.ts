// `mls compare <profileA> <profileB> [paths…]`: a semantic diff of two kernels.
// Every scenario runs on the model under both profiles with a snapshot after
// each step; runner/fuzz/compare.ts lists every observation that differs (call
// results, status counters, VMAs, residency). Scenarios whose `kernel` header
// excludes either profile are skipped. Exit 0: no differences, 1: some, 2: errors.
import { isSelected, selectionOf } from '../select.js';
import type { ObservationLog, Scenario } from '../../schema/generated/types.js';
import { profileProblem } from '../../runtime/kernels.js';
import { resolve } from 'node:path';
import { UsageError, stringOption } from '../args.js';
import { writeFileAtomic } from '../reporters/sink.js';
import { compareLogs, type Divergence } from '../comparison/compare-logs.js';
import { fieldWords, valueWords } from '../comparison/words.js';
import { kernelMismatch, parseProfile } from '../profiles/applies.js';
import { colorEnabled, makeStyle } from '../render/style.js';
import { loadCompiler, loadTarget } from '../tools.js';
import { colorFlag } from './run.js';
import { readSources } from './sources.js';
import type { Command } from './types.js';

export interface ComparedStep {
  step: number;
  line: number;
  statement: string;
  proc: string;
  /** Observation path: `result`, `status.VmLck`, `regions.buf.vmas[0].flags`, `outcome`. */
  path: string;
  /** The same in the language's words: `result`, `locked_vm`, `buf flags` (runner/comparison/words.ts). */
  field: string;
  a: unknown;
  b: unknown;
  /** a and b as the language writes them (`8p (32 kB)`). */
  aText: string;
  bText: string;
}

export interface ComparedScenario {
  file: string;
  name?: string;
  status: 'same' | 'differs' | 'skipped' | 'error';
  reason?: string;
  differences: ComparedStep[];
}

export interface CompareReport {
  a: string;
  b: string;
  scenarios: ComparedScenario[];
  summary: { same: number; differs: number; skipped: number; errors: number };
}

function statementAt(text: string, line: number): string {
  return (text.split(/\r?\n/)[line - 1] ?? '').replace(/#.*$/, '').trim();
}

function describe(d: Divergence, s: Scenario, text: string, log: ObservationLog): ComparedStep {
  const st = d.step >= 0 ? s.steps[d.step] : undefined;
  const line = st?.loc.line ?? 0;
  const snap = log.steps.find((o) => o.step === d.step)?.snapshot;
  const { field, bytes } = fieldWords(d.path, (r) => snap?.regions[r]?.vmas.length);
  return {
    step: d.step, line, statement: st ? statementAt(text, line) : '(end of run)', proc: d.proc || st?.proc || '',
    path: d.path, field, a: d.a, b: d.b, aText: valueWords(d.a, bytes), bText: valueWords(d.b, bytes),
  };
}

/**
 * The lines the text report prints: a difference that a step carries over unchanged from
 * the step before (same field, same two values) is not repeated, and a step left with
 * nothing new is not shown (it said so at every later step before: issue 16 finding 7).
 */
export function newDifferences(diffs: readonly ComparedStep[]): ComparedStep[] {
  const out: ComparedStep[] = [];
  let step = -2;
  let before = new Map<string, string>(); // the differences of step - 1 (none when it had none)
  let now = new Map<string, string>();
  for (const d of diffs) {
    if (d.step !== step) {
      before = d.step === step + 1 ? now : new Map();
      now = new Map();
      step = d.step;
    }
    const key = `${d.proc}\0${d.path}`, value = `${d.aText}\0${d.bText}`;
    now.set(key, value);
    if (before.get(key) !== value) out.push(d);
  }
  return out;
}

/** Compare one compiled scenario under two profiles (pure apart from running the model). */
export async function compareScenario(scenario: Scenario, text: string, a: string, b: string, timeoutMs: number): Promise<ComparedScenario> {
  const base = { file: scenario.file, name: scenario.name, differences: [] as ComparedStep[] };
  for (const k of [a, b]) {
    const why = kernelMismatch(scenario.kernels, parseProfile(k));
    if (why) return { ...base, status: 'skipped', reason: why };
  }
  const model = await loadTarget('model');
  const run = (kernel: string): Promise<ObservationLog> => model.run(scenario, { kernel, trace: true, timeoutMs });
  const [la, lb] = [await run(a), await run(b)];
  if (la.outcome === 'skipped' || lb.outcome === 'skipped') return { ...base, status: 'skipped', reason: la.skipReason ?? lb.skipReason ?? 'skipped' };
  const diffs = compareLogs(la, lb).map((d) => describe(d, scenario, text, la));
  if (la.outcome === 'error' && lb.outcome === 'error' && la.message === lb.message) {
    return { ...base, status: 'error', reason: la.message ?? 'the model stopped with an error', differences: diffs };
  }
  return { ...base, status: diffs.length ? 'differs' : 'same', differences: diffs };
}

export const compare: Command = async (ctx) => {
  const { io } = ctx;
  const [a, b, ...paths] = ctx.positionals;
  if (a === undefined || b === undefined) throw new UsageError('give two kernel profiles, then the scenarios: mls compare linux-6.18 linux-6.18+posix-mlock scenarios');
  for (const k of [a, b]) {
    const why = profileProblem(k);
    if (why) throw new UsageError(`${k}: ${why} (mls list --kernels)`);
  }
  const style = makeStyle(colorEnabled({ isTTY: io.stdout.isTTY, env: io.env, flag: colorFlag(ctx) }));
  const timeoutMs = typeof ctx.options['timeout'] === 'string' ? Number(ctx.options['timeout']) : 10000;
  const selection = selectionOf(ctx.options);
  const { files, unmatched } = await readSources(paths.length ? paths : ['scenarios'], io);
  for (const u of unmatched) io.stderr.write(`mls compare: no .mls file matches '${u}'\n`);
  const compiler = await loadCompiler();
  const report: CompareReport = { a, b, scenarios: [], summary: { same: 0, differs: 0, skipped: 0, errors: unmatched.length } };
  for (const f of files) {
    if (ctx.signal.aborted) break;
    let r: ComparedScenario;
    const compiled = f.text !== undefined ? compiler.compileSource(f.text, f.file) : undefined;
    if (!compiled?.scenario || compiled.messages.some((m) => m.severity === 'error')) {
      r = { file: f.file, status: 'error', reason: f.error?.text ?? `does not compile (mls check ${f.file})`, differences: [] };
    } else if (!isSelected(selection, compiled.scenario)) continue;
    else r = await compareScenario(compiled.scenario, f.text!, a, b, timeoutMs);
    report.scenarios.push(r);
    report.summary[r.status === 'same' ? 'same' : r.status === 'differs' ? 'differs' : r.status === 'skipped' ? 'skipped' : 'errors']++;
  }
  const html = stringOption(ctx.options, 'html');
  if (html !== undefined) writeFileAtomic(resolve(io.cwd, html), (await import('../render/compare-html.js')).compareHtml(report));
  if (ctx.options['json']) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    io.stdout.write(style.dim(`comparing ${a} (a) with ${b} (b): the observations that differ, per scenario`) + '\n');
    for (const s of report.scenarios) {
      if (s.status === 'same') continue;
      if (s.status !== 'differs') {
        if (s.status === 'error') io.stdout.write(`${style.red('error')}    ${s.file}: ${s.reason}\n`);
        continue;
      }
      io.stdout.write(`${style.yellow('differs')}  ${s.file}  ${s.name ?? ''}\n`);
      let last = -2;
      const fresh = newDifferences(s.differences);
      for (const d of fresh) {
        if (d.step !== last) io.stdout.write(`  ${s.file}:${d.line}  ${d.statement}${d.proc && d.proc !== 'main' ? `  (in ${d.proc})` : ''}\n`);
        last = d.step;
        io.stdout.write(`      ${d.field}: ${d.aText} → ${d.bText}\n`);
      }
      if (fresh.length < s.differences.length) io.stdout.write(style.dim(`  (a difference is shown at the step it appears or changes, not again while it lasts)`) + '\n');
    }
    const m = report.summary;
    io.stdout.write(`${m.differs} differ, ${m.same} same, ${m.skipped} skipped, ${m.errors} errors\n`);
  }
  return report.summary.errors > 0 ? 2 : report.summary.differs > 0 ? 1 : 0;
};
