// `mls record`: write observed values into a scenario's expectations by
// patching the source text at the parsed spans (comments and layout stay as
// written; the file is never reprinted). Filled in: placeholders (`expect
// locked_vm`); with `update`, also failing default values of `==` clauses and
// call results that differ (`=> ENOMEM`). Without it a concrete expectation
// that fails is kept and listed in `failing`: it may be the kernel that is
// wrong, so it is never overwritten silently. Per-profile cases are kept.
import { MAP_TEXT_PAGES, residentMap } from './render/resident-map.js';
import type { CallResult, Check, ObservationLog, ResultValue, Scenario, Snapshot } from '../schema/generated/types.js';
import type { CallStmt, ClauseAst, ExpectStmt, Statement } from '../grammar/ast.js';
import { Diagnostics } from '../grammar/diagnostics.js';
import { parseSource, sourceLines } from '../grammar/parse.js';
import { statementOf } from '../grammar/restamp.js';
import { TRACKED_FLAGS, judge, observe } from './evaluation/check.js';
import { resultHolds } from './evaluation/result.js';

export interface Edit {
  line: number;
  /** 1-based, endColumn exclusive; start === end inserts. */
  column: number;
  endColumn: number;
  text: string;
  why: string;
}

export interface RecordOutcome {
  text: string;
  edits: Edit[];
  /** Concrete expectations that failed and were kept (without `update`), one line each. */
  failing: string[];
  /** Expectations that could not be recorded (operator, unobserved step …). */
  notes: string[];
}

const PAGE = 4096;

/** A size as the language writes it: 0, 16p, 2K, 100B (bytes below a page say so: SPEC §1.1 mls/no-unit), 5000. */
export function formatSize(n: number): string {
  if (n === 0) return '0';
  if (n % PAGE === 0) return `${n / PAGE}p`;
  if (n % 1024 === 0) return `${n / 1024}K`;
  return n > 0 && n < PAGE ? `${n}B` : String(n);
}

function formatOffset(n: number): string {
  return n < 0 ? `-${formatSize(-n)}` : formatSize(n);
}

/** The `=> …` text for an observed result, in the form the expectation used. */
export function formatResult(got: CallResult, want: ResultValue): string {
  switch (got.outcome) {
    case 'errno': return got.errno ?? 'any';
    case 'signal': return got.signal ?? 'any';
    case 'ok': {
      const wantsValue = want.kind === 'value' || (want.kind === 'oneOf' && want.oneOf?.some((v) => v.kind === 'value'));
      return wantsValue && got.value !== undefined ? got.value : 'ok';
    }
  }
}

/** The clause text after the field (`== 16p`, `has lo lf`), or undefined if not recordable. */
export function formatObserved(check: Check, snap: Snapshot): string | undefined {
  const o = observe(check, snap);
  if (typeof o === 'string') return undefined;
  switch (o.kind) {
    case 'bytes': return `== ${formatSize(o.value)}`;
    case 'count': return `== ${o.value}`;
    case 'state': return `== ${o.value}`;
    // A map past MAP_TEXT_PAGES has no line a person could read or write: not recorded.
    case 'map': return o.pages > MAP_TEXT_PAGES ? undefined : `== "${residentMap(o.resident, o.pages)}"`;
    case 'layout':
      if (o.value.length === 0) return undefined; // the language has no empty layout
      return '== ' + o.value.map((v) => `[${formatOffset(v.start)}, ${formatOffset(v.end)}) ${v.prot}${v.flags.length ? ' ' + v.flags.join(' ') : ''}`).join(' | ');
    case 'flags': {
      const tracked = TRACKED_FLAGS.filter((f) => o.vmas.length > 0 && o.vmas.every((v) => v.includes(f)));
      if (tracked.length) return `has ${tracked.join(' ')}`;
      const absent = (['lo', 'lf'] as const).filter((f) => o.vmas.every((v) => !v.includes(f)));
      return absent.length ? `lacks ${absent.join(' ')}` : undefined;
    }
  }
}

function statementsByLine(text: string, file: string): Map<number, Statement> {
  const d = new Diagnostics(file, sourceLines(text));
  const { ast } = parseSource(text, d);
  return new Map(ast.statements.map((s) => [s.line, statementOf(s)]));
}

/** Where a failing concrete expectation goes: edits (update) or the failing list. */
interface Sink {
  edits: Edit[];
  notes: string[];
  failing: string[];
  update: boolean;
}
function rewrite(sink: Sink, edit: Edit): void {
  if (sink.update) sink.edits.push(edit);
  else sink.failing.push(edit.why);
}

function recordCall(stmt: CallStmt, step: Scenario['steps'][number] & { result: { default: ResultValue } }, got: CallResult, sink: Sink): void {
  const want = step.result.default;
  if (resultHolds(want, got)) return;
  const text = formatResult(got, want);
  const first = stmt.result?.cases[0];
  const why = `line ${stmt.span.line}: result ${text}`;
  const edits: Edit[] = [];
  if (first && !first.when) {
    edits.push({ line: first.value.span.line, column: first.value.span.column, endColumn: first.value.span.endColumn, text, why });
  } else if (first) { // only per-profile cases were written: the default goes first
    edits.push({ line: first.span.line, column: first.span.column, endColumn: first.span.column, text: `${text}, `, why });
  } else {
    const s = stmt.span;
    edits.push({ line: s.line, column: s.endColumn, endColumn: s.endColumn, text: text === 'ok' ? '' : ` => ${text}`, why });
  }
  for (const e of edits) rewrite(sink, e);
}

function recordClause(clause: ClauseAst, check: Check, snap: Snapshot, sink: Sink): void {
  const { edits, notes } = sink;
  const where = `line ${clause.span.line}:${clause.span.column}`;
  const observed = formatObserved(check, snap);
  if (!check.value) {
    if (observed === undefined) { notes.push(`${where}: ${check.field} could not be observed; left as a placeholder`); return; }
    const s = clause.span;
    edits.push({ line: s.line, column: s.endColumn, endColumn: s.endColumn, text: ` ${observed}`, why: `${where}: ${check.field} ${observed}` });
    return;
  }
  if (check.value.default.captured) return; // relative to a `let`: the runner judges it; there is no literal to record
  if (judge(check, snap, check.value.default).pass) return;
  const first = clause.values?.[0];
  if (check.op !== '==' || !first || first.when || observed === undefined || !observed.startsWith('== ')) {
    notes.push(`${where}: ${check.field} ${check.op} does not hold and was not rewritten (only == defaults are recorded)`);
    return;
  }
  const v = first.value.span;
  rewrite(sink, { line: v.line, column: v.column, endColumn: v.endColumn, text: observed.slice(3), why: `${where}: ${check.field} ${observed}` });
}

/** Patch `text` (the source `scenario` was compiled from) with what `log` observed. */
export function recordSource(text: string, scenario: Scenario, log: ObservationLog, opts: { update?: boolean } = {}): RecordOutcome {
  const stmts = statementsByLine(text, scenario.file);
  const edits: Edit[] = [];
  const notes: string[] = [];
  const failing: string[] = [];
  const sink: Sink = { edits, notes, failing, update: opts.update === true };
  if (log.outcome === 'skipped') return { text, edits, failing, notes: [`not run: ${log.skipReason ?? 'skipped'}`] };
  if (log.outcome !== 'completed') notes.push(`the run ended early (${log.outcome}: ${log.message ?? ''}); later steps were not recorded`);
  for (const obs of log.steps) {
    const step = scenario.steps[obs.step];
    const stmt = step && stmts.get(step.loc.line);
    if (!step || !stmt) continue;
    // A `repeat` body line stands for one step per iteration, each with its own value: no one literal fits it.
    if (step.loc.iteration !== undefined) {
      if (step.loc.iteration === 1) notes.push(`line ${step.loc.line}: inside a repeat, observed once per iteration; not recorded`);
      continue;
    }
    if (step.op === 'expect' && obs.snapshot && stmt.action.kind === 'expect') {
      const clauses = (stmt.action as ExpectStmt).clauses;
      step.checks.forEach((c, i) => { if (clauses[i]) recordClause(clauses[i]!, c, obs.snapshot!, sink); });
    } else if (step.op !== 'expect' && obs.result && stmt.action.kind === 'call') {
      recordCall(stmt.action, step, obs.result, sink);
    }
  }
  return { text: applyEdits(text, edits), edits, notes, failing };
}

export function applyEdits(text: string, edits: readonly Edit[]): string {
  const lines = text.split('\n');
  const sorted = [...edits].sort((a, b) => b.line - a.line || b.column - a.column);
  for (const e of sorted) {
    const l = lines[e.line - 1];
    if (l === undefined) continue;
    lines[e.line - 1] = l.slice(0, e.column - 1) + e.text + l.slice(e.endColumn - 1);
  }
  return lines.join('\n');
}

/** A unified-style diff of the changed lines (one hunk per line, with its number). */
export function lineDiff(file: string, before: string, after: string): string {
  const a = before.split('\n'), b = after.split('\n');
  const out = [`--- ${file}`, `+++ ${file} (recorded)`];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    out.push(`@@ -${i + 1} +${i + 1} @@`);
    if (a[i] !== undefined) out.push(`-${a[i]!.replace(/\r$/, '')}`);
    if (b[i] !== undefined) out.push(`+${b[i]!.replace(/\r$/, '')}`);
  }
  return out.length > 2 ? out.join('\n') + '\n' : '';
}
