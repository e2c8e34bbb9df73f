// (Scenario, ObservationLog, profile) → FileResult: one check point per call
// result and per expect clause, the same way for every target. Targets only
// observe; the judging lives here.
import { EXCERPT_MAX, excerpt } from '../../grammar/excerpt.js';
import type {
  Check, CheckResult, CheckValue, FileResult, Loc, Location, Message, ObservationLog, Scenario, Snapshot, StepObservation,
} from '../../schema/generated/types.js';
import type { CallStep, ExpectStep } from '../ir.js';
import { judge, observe } from './check.js';
import { describeStep, renderActualResult, renderExpectedResult, resultHolds } from './result.js';
import { valuesOfLog } from '../machine/settings.js';
import { parseProfile, pickCase, pickValue } from '../profiles/applies.js';
import { snapshotAddressSpace, snapshotPicture } from '../render/picture.js';

export interface EvaluateOptions {
  /** The .mls text, for source lines in locations and names. */
  source?: string;
  durationMs?: number;
}

export const PLACEHOLDER_MESSAGE = 'no expected value: run mls record';

/** The statement text of a source line: trimmed, without its comment. */
function statementText(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (c === '#' && !inString) return line.slice(0, i).trim();
  }
  return line.trim();
}

export function toLocation(loc: Loc, lines?: readonly string[]): Location {
  const lineText = lines?.[loc.line - 1];
  const sameLine = loc.endLine === undefined || loc.endLine === loc.line;
  const length = loc.endColumn !== undefined && sameLine
    ? Math.max(0, loc.endColumn - loc.column)
    : lineText !== undefined ? Math.max(0, lineText.length - loc.column + 1) : undefined;
  return {
    file: loc.file, line: loc.line, column: loc.column,
    ...(length !== undefined ? { length } : {}),
    ...(lineText !== undefined ? excerpt(lineText, loc.column, length) : {}),
  };
}

/** A check's name from its clause: a 1 MB resident map literal is not a name. */
const clip = (s: string): string => (s.length > EXCERPT_MAX ? `${s.slice(0, EXCERPT_MAX - 1)}…` : s);

interface Ctx {
  scenario: Scenario;
  lines?: string[];
  profile: ReturnType<typeof parseProfile>;
  byStep: Map<number, StepObservation>;
  ended: string | undefined;
  firstFailure?: { snap: Snapshot; region?: string };
  /** Values kept by `let` steps so far (undefined: the step was not observed). */
  captures: Map<string, number | undefined>;
}

/** A `captured` value (`before + 1p`) as the bytes or count it stands for; a string says why it has none. */
function resolveCaptured(ctx: Ctx, want: CheckValue | undefined, field: string): CheckValue | string | undefined {
  if (!want?.captured) return want;
  const v = ctx.captures.get(want.captured.name);
  if (v === undefined) return `"${want.captured.name}" was not observed (its \`let\` step was not reached)`;
  const n = v + Number(want.captured.offset);
  return field === 'map_count' || field === 'vmas' ? { count: n } : { bytes: n };
}

function lastSnapshot(ctx: Ctx, upTo: number, proc: string): Snapshot | undefined {
  for (let i = upTo; i >= 0; i--) {
    const o = ctx.byStep.get(i);
    if (o?.snapshot && o.proc === proc) return o.snapshot;
  }
  return undefined;
}

function resultPoint(ctx: Ctx, step: CallStep, index: number): CheckResult {
  const want = pickValue(step.result, ctx.profile);
  const line = ctx.lines?.[step.loc.line - 1];
  let name = line !== undefined ? statementText(line) : `${describeStep(step)} => ${renderExpectedResult(want)}`;
  // A `repeat` body line: which iteration, and the values it drew (SPEC §3.9).
  if (step.loc.iteration !== undefined) name += ` [iteration ${step.loc.iteration}: ${describeStep(step)}]`;
  const location = toLocation(step.result.loc ?? step.loc, ctx.lines);
  const base = { kind: 'result' as const, name, location, proc: step.proc, counter: 'result', unit: 'result', expected: renderExpectedResult(want) };
  const obs = ctx.byStep.get(index);
  if (!obs?.result) {
    return { ...base, status: 'skip', message: `not reached: ${ctx.ended ?? 'the target did not report this step'}` };
  }
  const actual = renderActualResult(obs.result);
  if (resultHolds(want, obs.result)) return { ...base, status: 'pass', actual };
  const snap = obs.snapshot ?? lastSnapshot(ctx, index, step.proc);
  if (snap && !ctx.firstFailure) ctx.firstFailure = { snap };
  return { ...base, status: 'fail', actual, message: `expected ${base.expected}, got ${actual}` };
}

function expectPoints(ctx: Ctx, step: ExpectStep, index: number): CheckResult[] {
  const snap = ctx.byStep.get(index)?.snapshot;
  if (step.capture) {
    const o = snap ? observe({ loc: step.loc, field: step.capture.field as Check['field'], op: '==', ...(step.capture.region !== undefined ? { region: step.capture.region } : {}) }, snap) : undefined;
    ctx.captures.set(step.capture.name, o !== undefined && typeof o !== 'string' && (o.kind === 'bytes' || o.kind === 'count') ? o.value : undefined);
  }
  return step.checks.map((stated) => {
    let check = stated;
    const picked = check.value ? pickCase(check.value, ctx.profile) : undefined;
    const resolved = resolveCaptured(ctx, picked?.value, check.field);
    const want = typeof resolved === 'string' ? undefined : resolved;
    if (picked?.case?.op) check = { ...check, op: picked.case.op };
    const location = toLocation(check.loc, ctx.lines);
    const counter = check.region !== undefined ? `${check.region}.${check.field}` : check.field;
    const lineText = ctx.lines?.[check.loc.line - 1];
    const clause = lineText !== undefined && location.length ? clip(lineText.slice(check.loc.column - 1, check.loc.column - 1 + location.length).trim()) : '';
    const synthesized = `${check.field} ${check.op}${want ? ' …' : ''}`;
    let name = clause || synthesized;
    if (check.region !== undefined && !name.startsWith(check.region)) name = `${check.region} ${name}`;
    if (check.loc.iteration !== undefined) name += ` [iteration ${check.loc.iteration}]`;
    const base = { kind: 'expect' as const, name, location, proc: step.proc, counter };
    if (!snap) return { ...base, status: 'skip', message: `not reached: ${ctx.ended ?? 'the target took no snapshot here'}` } as CheckResult;
    if (typeof resolved === 'string') return { ...base, status: 'skip', message: resolved } as CheckResult;
    const j = judge(check, snap, want);
    const opPrefix = check.op === '==' ? '' : `${check.op} `;
    const point: CheckResult = {
      ...base, status: want === undefined ? 'skip' : j.pass ? 'pass' : 'fail', actual: j.actual, unit: j.unit,
      ...(j.expected !== undefined ? { expected: opPrefix + j.expected } : {}),
    };
    if (want === undefined) point.message = PLACEHOLDER_MESSAGE;
    else if (!j.pass) {
      point.message = j.message ?? `${counter}: expected ${point.expected}, got ${j.actual}`;
      if (!ctx.firstFailure) ctx.firstFailure = { snap, ...(check.region !== undefined ? { region: check.region } : {}) };
    }
    return point;
  });
}

function endMessage(log: ObservationLog, file: string, scenario?: Scenario): Message | undefined {
  if (log.outcome === 'timeout') return { id: 'run/timeout', severity: 'error', text: log.message ?? 'the scenario timed out', location: { file, line: 1, column: 1, length: 0 }, notes: [] };
  if (log.outcome === 'interrupted') return { id: 'run/interrupted', severity: 'error', text: log.message ?? 'the run was interrupted', location: { file, line: 1, column: 1, length: 0 }, notes: [] };
  if (log.outcome === 'error') {
    // The statement the error belongs to (the host safety cap's), else the file.
    const at = log.errorStep !== undefined ? scenario?.steps[log.errorStep]?.loc : undefined;
    const location = at ? { file, line: at.line, column: at.column, length: 0 } : { file, line: 1, column: 1, length: 0 };
    return { id: 'run/target-error', severity: 'error', text: log.message ?? 'the target stopped with an error', location, notes: [] };
  }
  return undefined;
}

export function evaluate(scenario: Scenario, log: ObservationLog, profile: string, opts: EvaluateOptions = {}): FileResult {
  const result: FileResult = {
    file: scenario.file, name: scenario.name, target: log.target, kernel: log.kernel, hash: scenario.hash,
    outcome: 'PASS', durationMs: opts.durationMs ?? 0, checks: [], messages: [],
  };
  if (log.outcome === 'skipped') {
    return { ...result, outcome: 'SKIP', skipReason: log.skipReason ?? 'the target cannot run this scenario' };
  }
  const ctx: Ctx = {
    scenario, profile: { ...parseProfile(profile), settings: valuesOfLog(log.settings) },
    byStep: new Map(log.steps.map((s) => [s.step, s])),
    captures: new Map(),
    ended: log.outcome === 'completed' ? undefined : `the run ended early (${log.outcome}${log.message ? `: ${log.message}` : ''})`,
    ...(opts.source !== undefined ? { lines: opts.source.split(/\r?\n/) } : {}),
  };
  scenario.steps.forEach((step, i) => {
    if (step.op === 'expect') result.checks.push(...expectPoints(ctx, step, i));
    else result.checks.push(resultPoint(ctx, step, i));
  });
  const end = endMessage(log, scenario.file, scenario);
  if (end) {
    result.messages.push(end);
    result.outcome = 'ERROR';
  } else if (result.checks.some((c) => c.status === 'fail')) {
    result.outcome = 'FAIL';
  }
  if (ctx.firstFailure) {
    result.picture = snapshotPicture(ctx.firstFailure.snap, ctx.firstFailure.region);
    result.addressSpace = snapshotAddressSpace(ctx.firstFailure.snap, ctx.firstFailure.region);
  }
  return result;
}
