// FileAst → IR (schema/scenario.schema.json). Walks the header, then the
// statements in order with a Scope (processes, regions), checking as it goes.
import type { Loc, Scenario, VersionConstraint } from '../schema/generated/types.js';
import type { FileAst, HeaderAst, RepeatAst, Span, Statement } from './ast.js';
import { expectsOk, result, selector, setting, smallInt, u64, vocab } from './check.js';
import { withDraws, Xorshift64Star } from './draws.js';
import type { Diagnostics } from './diagnostics.js';
import { lowerCall, type CallCtx } from './lower-calls.js';
import { lowerExpect, lowerLet } from './lower-expect.js';
import * as N from './names.js';
import { statementOf } from './restamp.js';
import { MAX_PROCESSES, Scope } from './scope.js';

/** The most statements `repeat` blocks may expand to in one file (mls/repeat-too-large). */
export const MAX_REPEAT_STEPS = 100_000;

export type Step = Scenario['steps'][number];
const spanOfLoc = (l: Loc): Span => ({ line: l.line, column: l.column, endColumn: l.endColumn ?? l.column });

interface Header {
  name?: string;
  about: string[];
  tags: string[];
  profiles: string[];
  constraints: VersionConstraint[];
  requires: Map<N.Requirement, Span>;
  settings: Map<N.SettingName, { value: string; span: Span }>;
  image?: { value: 'default' | 'empty'; span: Span };
  maxMapCount?: { value: number; span: Span };
  only?: boolean;
  skip?: string;
  todo?: string;
}

function lowerHeader(headers: HeaderAst[], d: Diagnostics): Header {
  const h: Header = { about: [], tags: [], profiles: [], constraints: [], requires: new Map(), settings: new Map() };
  const seen = new Map<string, Span>();
  const once = (x: HeaderAst): boolean => {
    const prev = seen.get(x.kind);
    if (prev) {
      d.error('mls/duplicate-header', `duplicate \`${x.kind}\` header line`, x.span, { notes: [`first given on line ${prev.line}`] });
      return false;
    }
    seen.set(x.kind, x.span);
    return true;
  };
  for (const x of headers) {
    switch (x.kind) {
      case 'scenario':
        if (once(x)) h.name = x.text;
        break;
      case 'about':
        h.about.push(x.text);
        break;
      case 'tags':
        h.tags.push(...x.words.map((w) => w.text));
        break;
      case 'only':
        if (once(x)) h.only = true;
        break;
      case 'skip':
        if (once(x)) h.skip = x.text ?? '';
        break;
      case 'todo':
        if (once(x)) h.todo = x.text ?? '';
        break;
      case 'requires':
        for (const w of x.words) {
          const r = vocab(w, N.REQUIREMENTS, d, 'mls/bad-value', 'requirement', 'requirement');
          if (r) h.requires.set(r, w.span);
        }
        for (const x2 of x.settings) {
          const v = setting(x2, d);
          if (!v) continue;
          const prev = h.settings.get(v.name);
          if (prev && prev.value !== v.value) {
            d.error('mls/contradiction', `\`requires ${v.name}=${v.value}\` contradicts \`${v.name}=${prev.value}\` on line ${prev.span.line}`, x2.span);
          } else h.settings.set(v.name, { value: v.value, span: x2.span });
        }
        break;
      case 'kernel':
        for (const s of x.selectors) {
          if (s.kind === 'setting') {
            d.error('mls/bad-value', `a machine setting is not a kernel: write \`requires ${s.name}=${s.value}\``, s.span);
            continue;
          }
          const sel = selector(s, d);
          if (sel?.profile !== undefined) h.profiles.push(sel.profile);
          if (sel?.version) h.constraints.push(sel.version);
        }
        break;
      case 'image': {
        const v = vocab(x.word, N.IMAGES, d, 'mls/bad-value', 'image');
        if (once(x) && v) h.image = { value: v, span: x.span };
        break;
      }
      case 'max_map_count': {
        const v = smallInt(x.expr, d, 'max_map_count', 0x7fffffffn);
        if (v === 0) d.error('mls/bad-value', 'max_map_count must be at least 1', x.expr.span);
        else if (once(x) && v !== undefined) h.maxMapCount = { value: v, span: x.span };
      }
    }
  }
  const host = h.requires.get('host');
  if (host) {
    const model = h.requires.get('model');
    if (model) d.error('mls/contradiction', '`requires host` and `requires model` exclude each other', model);
    if (h.image?.value === 'empty') d.error('mls/contradiction', '`image empty` runs on the model only, but the scenario `requires host`', h.image.span);
    if (h.maxMapCount) d.error('mls/contradiction', '`max_map_count` is model only, but the scenario `requires host`', h.maxMapCount.span);
  }
  return h;
}

/** Region effects of a step on the static scope (lengths, unmapped regions, processes). */
function applyEffects(step: Step, scope: Scope): void {
  const proc = step.proc;
  const ok = step.op === 'expect' || expectsOk(step.result);
  const touch = (region: string | undefined): void => {
    const r = region === undefined ? undefined : scope.region(proc, region);
    if (r) delete r.unmappedAt;
  };
  switch (step.op) {
    case 'fork':
      scope.fork(proc, step.child);
      break;
    case 'exec':
      scope.exec(proc);
      break;
    case 'file':
      scope.files.add(step.file);
      scope.unlinkedAt.delete(step.file);
      break;
    case 'unlink':
      if (ok) scope.unlinkedAt.set(step.file, spanOfLoc(step.loc));
      break;
    case 'exit':
      scope.exit(proc, spanOfLoc(step.loc));
      break;
    case 'mmap':
    case 'memfd_secret':
      if (step.op === 'mmap') touch(step.at?.region);
      if (step.bind !== undefined) scope.bind(proc, step.bind, BigInt(step.len.bytes ?? 0));
      break;
    case 'shmget':
      scope.segments.set(step.segment, BigInt(step.size)); // a failed shmget still names the segment (shmat then fails)
      break;
    case 'shmat':
      touch(step.at?.region);
      if (step.bind !== undefined) scope.bind(proc, step.bind, scope.segments.get(step.segment));
      break;
    case 'mremap': {
      const src = step.addr.region === undefined ? undefined : scope.region(proc, step.addr.region);
      if (src && !src.builtin) delete src.len; // may have grown, shrunk or moved
      touch(step.to?.region);
      if (step.bind !== undefined) scope.bind(proc, step.bind, BigInt(step.newLen.bytes ?? 0));
      break;
    }
    case 'munmap': {
      const r = step.addr.region === undefined ? undefined : scope.region(proc, step.addr.region);
      const whole = step.len.regionLen === step.addr.region || (r?.len !== undefined && step.len.bytes !== undefined && BigInt(step.len.bytes) >= r.len);
      if (r && ok && !step.addr.end && BigInt(step.addr.offset) === 0n && whole) r.unmappedAt = spanOfLoc(step.loc);
      break;
    }
  }
}

/** SPEC.md: a read or write expected to succeed on a region wholly unmapped in that process is certainly wrong. */
function useAfterMunmap(step: Step, scope: Scope, d: Diagnostics, span: Span): void {
  if (step.op !== 'read' && step.op !== 'write' && step.op !== 'access') return;
  if (!expectsOk(step.result) || step.addr.region === undefined || step.addr.end) return;
  const r = scope.region(step.proc, step.addr.region);
  if (!r?.unmappedAt) return;
  const off = BigInt(step.addr.offset);
  if (off < 0n || (r.len !== undefined && off >= r.len)) return;
  d.error('mls/use-after-munmap', `${step.op} of "${step.addr.region}", which was unmapped on line ${r.unmappedAt.line}, is expected to succeed`, span, {
    notes: ['the access faults: expect `=> SIGSEGV`, or map the region again first'],
  });
}

/** SPEC.md §3.3: a statement that opens a file by name after an `unlink` of it, expected to succeed, is certainly wrong. */
function useAfterUnlink(step: Step, scope: Scope, d: Diagnostics, span: Span): void {
  const opens = step.op === 'mmap' || step.op === 'truncate' || step.op === 'fsync' || step.op === 'fdatasync'
    || step.op === 'fadvise_dontneed' || step.op === 'unlink';
  if (!opens || step.file === undefined || !expectsOk(step.result)) return;
  const at = scope.unlinkedAt.get(step.file);
  if (!at) return;
  d.error('mls/use-after-unlink', `${step.op === 'fadvise_dontneed' ? 'fadvise' : step.op} opens file "${step.file}", which was unlinked on line ${at.line}, and is expected to succeed`, span, {
    notes: ['the name is gone: expect `=> ENOENT`, or declare the file again first (its mappings stay)'],
  });
}

export function lowerFile(ast: FileAst, d: Diagnostics, hash: string): Scenario | undefined {
  const h = lowerHeader(ast.headers, d);
  if (h.name === undefined && !d.unparsedNames.has('scenario')) {
    d.error('mls/missing-scenario', 'the file has no `scenario "name"` line', { line: 1, column: 1, endColumn: 1 }, {
      notes: ['SPEC.md Part I §2: every header line is optional except `scenario`'],
    });
  }
  const scope = new Scope();
  const steps: Step[] = [];
  let iteration: number | undefined;
  const loc = (s: Span): Loc => ({ file: ast.file, line: s.line, column: s.column, endLine: s.line, endColumn: s.endColumn, ...(iteration ? { iteration } : {}) });
  const one = (st: Statement): void => {
    const step = lowerStatement(st, d, scope, loc);
    if (step) {
      useAfterMunmap(step, scope, d, st.action.span);
      useAfterUnlink(step, scope, d, st.action.span);
      applyEffects(step, scope);
      steps.push(step);
    }
  };
  const budget = { steps: MAX_REPEAT_STEPS };
  // Each statement is copied to its line only now, and dropped once lowered (restamp.ts).
  for (let i = 0; i < ast.statements.length; ) {
    const ref = ast.statements[i]!;
    if (!ref.repeat) {
      one(statementOf(ref));
      i++;
      continue;
    }
    let j = i;
    while (j < ast.statements.length && ast.statements[j]!.repeat === ref.repeat) j++;
    expandRepeat(ref.repeat, ast.statements.slice(i, j).map(statementOf), d, budget, (k, body) => {
      iteration = k;
      try { body.forEach(one); } finally { iteration = undefined; }
    });
    i = j;
  }
  if (d.hasErrors()) return undefined;
  const env: Scenario['env'] = { image: h.image?.value ?? 'default' };
  if (h.maxMapCount) env.maxMapCount = h.maxMapCount.value;
  impliedSettings(steps, h, d);
  if (d.hasErrors()) return undefined;
  if (h.settings.size > 0) env.settings = Object.fromEntries([...h.settings].map(([k, v]) => [k, v.value]));
  return {
    schemaVersion: 1,
    file: ast.file,
    name: h.name ?? '',
    description: h.about.join('\n'),
    tags: h.tags,
    ...(h.only ? { only: true } : {}),
    ...(h.skip !== undefined ? { skip: h.skip } : {}),
    ...(h.todo !== undefined ? { todo: h.todo } : {}),
    kernels: { profiles: h.profiles, constraints: h.constraints },
    requires: [...h.requires.keys()],
    env,
    processes: [...scope.order],
    steps,
    hash,
  };
}

/**
 * SPEC.md §3.3: a file `on disk` lives in the temp dir, so the scenario assumes the temp dir is on a disk
 * filesystem: `requires files=disk`, unless it says otherwise (mls/contradiction).
 */
function impliedSettings(steps: Step[], h: Header, d: Diagnostics): void {
  const disk = steps.find((s) => s.op === 'file' && s.fs === 'disk');
  if (!disk) return;
  const prev = h.settings.get('files');
  if (prev && prev.value !== 'disk') {
    d.error('mls/contradiction', `\`file ${disk.op === 'file' ? disk.file : ''} … on disk\` on line ${disk.loc.line} contradicts \`requires files=${prev.value}\``, prev.span);
  } else if (!prev) h.settings.set('files', { value: 'disk', span: spanOfLoc(disk.loc) });
}

/**
 * A `repeat` block (SPEC.md §3.9): its body lowered `count` times, each iteration with
 * `random(…)` drawing from the block's stream (draws.ts), so the IR is concrete. The
 * first iteration with an error stops the expansion (its messages say which one);
 * warnings are kept from the first iteration only. `budget` bounds the expanded
 * statements of the whole file (mls/repeat-too-large).
 */
function expandRepeat(r: RepeatAst, body: Statement[], d: Diagnostics, budget: { steps: number }, run: (k: number, body: Statement[]) => void): void {
  const count = smallInt(r.count, d, 'the repeat count');
  const seed = u64(r.seed, d);
  if (count === undefined || seed === undefined) return;
  if (count * body.length > budget.steps) {
    d.error('mls/repeat-too-large', `repeat ${count} of ${body.length} statements expands to ${count * body.length}: a scenario may expand to at most ${MAX_REPEAT_STEPS} statements`, r.span, {
      notes: ['each iteration becomes steps of the IR; fewer iterations or a smaller body stay within the limit'],
    });
    return;
  }
  budget.steps -= count * body.length;
  const ctx = { rng: new Xorshift64Star(seed), drawn: new Map() };
  for (let k = 1; k <= count; k++) {
    const before = d.messages.length;
    const errorsBefore = d.messages.filter((m) => m.severity === 'error').length;
    ctx.drawn = new Map();
    withDraws(ctx, () => run(k, body));
    const added = d.messages.splice(before);
    const kept = k === 1 ? added : added.filter((m) => m.severity === 'error');
    for (const m of kept) m.notes.push({ text: `in iteration ${k} of the repeat on line ${r.span.line} (random(…) drew this iteration's values)` });
    d.messages.push(...kept);
    if (d.messages.filter((m) => m.severity === 'error').length > errorsBefore) return;
  }
}

function lowerStatement(st: Statement, d: Diagnostics, scope: Scope, loc: (s: Span) => Loc): Step | undefined {
  const proc = st.proc?.text ?? 'main';
  const info = scope.proc(proc);
  const where = st.proc?.span ?? st.action.span;
  if (!info) {
    const m = d.unknown('mls/unknown-process', 'process', proc, where, [...scope.procs.keys()]);
    m.notes.push({ text: `processes are created by \`${proc} = fork\`` });
    return undefined;
  }
  if (info.exitedAt) {
    d.error('mls/dead-process', `process ${proc} exited on line ${info.exitedAt.line}`, where);
    return undefined;
  }
  const a = st.action;
  if (a.kind === 'expect') return lowerExpect(a, d, scope, proc, loc);
  if (a.kind === 'let') return lowerLet(a, d, scope, proc, loc);
  const res = result(a.result, d, loc);
  const bind = 'bind' in a.call ? a.call.bind : undefined;
  if (a.call.op === 'fork' && bind && scope.proc(bind.text)) {
    d.error('mls/bad-value', `process ${bind.text} already exists`, bind.span);
    return undefined;
  }
  if (a.call.op === 'fork' && bind && scope.order.length >= MAX_PROCESSES) {
    d.error('mls/too-many-processes', `fork of ${bind.text}: a scenario has at most ${MAX_PROCESSES} processes, main included`, bind.span, {
      notes: ['the host executor addresses each process by an index below 256 (native/src/supervisor.c)'],
    });
    return undefined;
  }
  if (!res) return undefined;
  const ctx: CallCtx = { d, scope, proc, loc: loc(a.span), result: res };
  return lowerCall(a, ctx);
}
