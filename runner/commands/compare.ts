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
import { compareLogs, type Divergence } from '../compare-logs.js';
import { kernelMismatch, parseProfile } from '../profiles.js';
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
  a: unknown;
  b: unknown;
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

function describe(d: Divergence, s: Scenario, text: string): ComparedStep {
  const st = d.step >= 0 ? s.steps[d.step] : undefined;
  const line = st?.loc.line ?? 0;
  return { step: d.step, line, statement: st ? statementAt(text, line) : '(end of run)', proc: d.proc || st?.proc || '', path: d.path, a: d.a, b: d.b };
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
  const diffs = compareLogs(la, lb).map((d) => describe(d, scenario, text));
  if (la.outcome === 'error' && lb.outcome === 'error' && la.message === lb.message) {
    return { ...base, status: 'error', reason: la.message ?? 'the model stopped with an error', differences: diffs };
  }
  return { ...base, status: diffs.length ? 'differs' : 'same', differences: diffs };
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

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
      for (const d of s.differences) {
        if (d.step !== last) io.stdout.write(`  ${s.file}:${d.line}  ${d.statement}${d.proc && d.proc !== 'main' ? `  (in ${d.proc})` : ''}\n`);
        last = d.step;
        io.stdout.write(`      ${d.path}: ${show(d.a)} → ${show(d.b)}\n`);
      }
    }
    const m = report.summary;
    io.stdout.write(`${m.differs} differ, ${m.same} same, ${m.skipped} skipped, ${m.errors} errors\n`);
  }
  return report.summary.errors > 0 ? 2 : report.summary.differs > 0 ? 1 : 0;
};
