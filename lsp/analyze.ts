// One document as the editor sees it: the compiler's messages (the same
// compileSource `mls check` runs) and what the parsed lines bind: regions with
// their lengths and where they were defined, processes, files and segments,
// known at every line. Lines that fail to parse are skipped, so the rest of
// the file still has hovers and completion while one line is being typed.
import type { Message } from '../schema/generated/types.js';
import type { CallAst, Expr, LineAst, Span, Statement, Word } from '../grammar/ast.js';
import { compileSource } from '../grammar/compile.js';
import { Diagnostics } from '../grammar/diagnostics.js';
import { evalConst, type NumProblem } from '../grammar/numbers.js';
import { parseSource, sourceLines } from '../grammar/parse.js';

/** Where a region name was bound, and its length when the binding fixes it. */
export interface Binding {
  name: string;
  proc: string;
  span: Span;
  /** The binding statement's keyword (`mmap`, `mremap`, `shmat`, `memfd_secret`). */
  op: string;
  len?: bigint;
  /** Line of an mremap of this region since: its length may have changed (as grammar/lower.ts forgets it). */
  remappedAt?: number;
}

export type Regions = ReadonlyMap<string, Binding>;
/** Regions of each process in effect at one point of the file. */
type State = Map<string, Map<string, Binding>>;

export interface Reference {
  name: string;
  span: Span;
  proc: string;
  /** The binding this name refers to here (undefined: built-in or not bound). */
  binding?: Binding;
}

export interface Analysis {
  file: string;
  lines: string[];
  messages: Message[];
  /** Per line (0-based): what the line parsed to, when it did. */
  parsed: (LineAst | undefined)[];
  bindings: Binding[];
  references: Reference[];
  processes: Map<string, Span>;
  files: Map<string, Span>;
  segments: Map<string, { span: Span; size?: bigint }>;
  scenario?: { name: string; span: Span };
  /** Regions of `proc` before line `line` (0-based). */
  regionsAt(line: number, proc: string): Regions;
  /** The process a line runs in (`in x:`, or the enclosing block), 0-based line. */
  procAt(line: number): string;
}

const constant = (e: Expr | undefined): bigint | undefined => {
  if (!e) return undefined;
  const problems: NumProblem[] = [];
  const v = evalConst(e, problems);
  return problems.length === 0 ? v : undefined;
};

/** Region references in one statement: address atoms (`buf + 1p`, `buf.end`) and `expect buf …` clauses. */
function regionWords(value: unknown, out: Word[]): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) regionWords(v, out);
    return;
  }
  const o = value as Record<string, unknown>;
  if (o['kind'] === 'region' && typeof o['name'] === 'string') {
    const s = o['span'] as Span;
    // The span covers `buf.end`; the name is the first part.
    out.push({ text: o['name'], span: { ...s, endColumn: s.column + o['name'].length } });
    return;
  }
  for (const [k, v] of Object.entries(o)) {
    if (k === 'region' && typeof v === 'object' && v !== null && 'text' in v) out.push(v as Word);
    else if (k !== 'bind') regionWords(v, out);
  }
}

const copy = (s: State): State => new Map([...s].map(([p, m]) => [p, new Map(m)]));

export function analyze(text: string, file: string): Analysis {
  const messages = compileSource(text, file).messages;
  const lines = sourceLines(text);
  // A second parse with its own sink: the AST of every line that parses, errors or not.
  const { lineAt } = parseSource(text, new Diagnostics(file, lines));
  const parsed = lines.map((_, i) => lineAt(i));
  const bindings: Binding[] = [];
  const references: Reference[] = [];
  const processes = new Map<string, Span>();
  const files = new Map<string, Span>();
  const segments = new Map<string, { span: Span; size?: bigint }>();
  let scenario: Analysis['scenario'];
  let state: State = new Map([['main', new Map()]]);
  const before: (State | undefined)[] = [];
  const procOf: string[] = [];
  let block: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = parsed[i];
    procOf.push(block ?? 'main');
    if (!l) continue;
    if (l.kind === 'open') {
      block = l.proc.text;
      continue;
    }
    if (l.kind === 'close') {
      block = undefined;
      continue;
    }
    if (l.kind === 'header') {
      if (l.header.kind === 'scenario' && !scenario) scenario = { name: l.header.text, span: l.header.span };
      continue;
    }
    if (l.kind !== 'stmt') continue;
    const st: Statement = l.stmt;
    const proc = st.proc?.text ?? block ?? 'main';
    procOf[i] = proc;
    before[i] = copy(state);
    const regions = state.get(proc) ?? new Map<string, Binding>();
    state.set(proc, regions);
    const refs: Word[] = [];
    regionWords(st.action, refs);
    for (const w of refs) {
      const b = regions.get(w.text);
      references.push({ name: w.text, span: w.span, proc, ...(b ? { binding: b } : {}) });
    }
    if (st.action.kind !== 'call') continue;
    const call: CallAst = st.action.call;
    const bind = 'bind' in call ? call.bind : undefined;
    switch (call.op) {
      case 'fork':
        if (bind) {
          processes.set(bind.text, bind.span);
          state.set(bind.text, new Map(regions));
        }
        break;
      case 'exec':
        state.set(proc, new Map());
        break;
      case 'file':
        if (!files.has(call.file.text)) files.set(call.file.text, call.file.span);
        break;
      case 'shmget': {
        const size = constant(call.size);
        if (!segments.has(call.segment.text)) segments.set(call.segment.text, { span: call.segment.span, ...(size !== undefined ? { size } : {}) });
        break;
      }
      case 'mremap':
      case 'mmap':
      case 'memfd_secret':
      case 'shmat': {
        if (call.op === 'mremap') {
          const src = call.addr.terms.find((x) => x.atom.kind === 'region')?.atom;
          const old = src?.kind === 'region' ? regions.get(src.name) : undefined;
          if (old) {
            const { len: _forgotten, ...rest } = old;
            regions.set(old.name, { ...rest, remappedAt: i + 1 });
          }
        }
        if (!bind) break;
        const len = call.op === 'mremap' ? constant(call.newLen) : call.op === 'shmat' ? segments.get(call.segment.text)?.size : constant(call.len);
        const b: Binding = { name: bind.text, proc, span: bind.span, op: call.op, ...(len !== undefined ? { len } : {}) };
        bindings.push(b);
        regions.set(bind.text, b);
        references.push({ name: bind.text, span: bind.span, proc, binding: b });
        break;
      }
    }
  }
  const final = state;
  return {
    file, lines, messages, parsed, bindings, references, processes, files, segments,
    ...(scenario ? { scenario } : {}),
    regionsAt(line, proc) {
      let s: State | undefined;
      for (let i = line; i < before.length && !s; i++) s = before[i];
      return (s ?? final).get(proc) ?? new Map();
    },
    procAt(line) {
      const l = parsed[line];
      if (l?.kind === 'stmt' && l.stmt.proc) return l.stmt.proc.text;
      const m = /^\s*in\s+([A-Za-z_]\w*)\s*:/.exec(lines[line] ?? '');
      if (m) return m[1]!;
      // A line being typed inside a block: the block's process.
      for (let i = Math.min(line, procOf.length) - 1; i >= 0; i--) {
        const p = parsed[i];
        if (p?.kind === 'close') return 'main';
        if (p?.kind === 'open') return p.proc.text;
      }
      return procOf[line] ?? 'main';
    },
  };
}
