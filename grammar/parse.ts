// Source text → FileAst. The file is checked for binary content, split into
// lines (LF or CRLF), comments are cut off, and each line is matched on its own
// (ohm is ~50–200 µs a line, so each line goes to the narrowest start rule its
// first word allows, and identical lines are matched once per process). Blocks
// and the header/statement order are assembled here.
import type { MatchResult } from 'ohm-js';
import type { FileAst, HeaderAst, LineAst, NumberPlan, RepeatAst, Span, StatementRef, Word } from './ast.js';
import type { Diagnostics } from './diagnostics.js';
import { knownShape, learnShape, lineOfShape, shapeOf } from './line-shape.js';
import { matchLine, matchLineFast } from './match-line.js';
import { namesOfBadLine, reportParseError } from './parse-error.js';
import { restamp, statementOf } from './restamp.js';
import { lineToAst } from './to-ast.js';

/** A line split into code and trailing comment; `openQuote` set when a string is not closed. */
export interface SplitLine {
  code: string;
  comment?: string;
  openQuote?: number;
  /** Index of a non-ASCII character outside strings and comments. */
  nonAscii?: number;
}

/** A line with none of these is all code: most lines, so they skip the character walk. */
const NOT_PLAIN = /["#\u0080-\uffff]/;

export function splitLine(line: string): SplitLine {
  if (!NOT_PLAIN.test(line)) return { code: line };
  let inString = -1;
  let nonAscii: number | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inString >= 0) {
      if (c === '\\') i++;
      else if (c === '"') inString = -1;
      continue;
    }
    if (c === '"') inString = i;
    else if (c === '#') return withNonAscii({ code: line.slice(0, i), comment: line.slice(i) }, nonAscii);
    else if (nonAscii === undefined && c.charCodeAt(0) > 0x7f) nonAscii = i;
  }
  const out: SplitLine = { code: line };
  if (inString >= 0) out.openQuote = inString;
  return withNonAscii(out, nonAscii);
}
function withNonAscii(s: SplitLine, i: number | undefined): SplitLine {
  if (i !== undefined) s.nonAscii = i;
  return s;
}

/** Split into lines: LF or CRLF ends a line (a lone CR is whitespace). */
export function sourceLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** First NUL/control character or U+FFFD (what invalid UTF-8 decodes to), as an index. */
export function findBinary(text: string): number {
  // eslint-disable-next-line no-control-regex
  const m = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.exec(text);
  return m ? m.index : -1;
}

const at = (line: number, column: number, length = 1): Span => ({ line, column, endColumn: column + length });

/**
 * Lowering goes on without a line that did not parse: names it would have bound
 * must not be reported as unknown further down (one mistake, one message).
 */
function badLine(d: Diagnostics, code: string): void {
  for (const n of namesOfBadLine(code)) d.unparsedNames.add(n);
  if (/^\s*scenario\b/.test(code)) d.unparsedNames.add('scenario');
}

export interface ParsedFile {
  ast: FileAst;
  /** Line i (0-based) as parsed, at its line (undefined where it failed): a fresh copy each call. */
  lineAt: (i: number) => LineAst | undefined;
  /** Per line: the successful ohm match (the formatter walks its CST). */
  matches: (MatchResult | undefined)[];
  splits: SplitLine[];
  /** The file as a whole is unusable (binary or empty): nothing to check further. */
  fatal?: boolean;
}

/**
 * Line code → its AST (spans on line 0), shared by every file this process
 * parses: suites repeat lines (`munlock buf`, `expect locked_vm == 0`) across
 * files and within one. For a line of a known shape the AST is the shape's and
 * `plan` reads the line's numbers (line-shape.ts). Entries are never handed out,
 * only restamped copies (restamp.ts; the caller may change them). Cleared when full.
 */
const lineCache = new Map<string, { ast: LineAst; plan?: NumberPlan }>();

/**
 * The longest line matched (SPEC Part I §2): ohm keeps a memo entry per character and
 * rule, ~2 kB a character, so a 1 MB line needed ~2 GB and a 20 MB one ran out of heap.
 */
export const MAX_LINE_CHARS = 65_536;
const LINE_CACHE_MAX = 20_000;

/**
 * Parse text into an AST; every problem goes to `d`. Callers stop if d has errors.
 * Match results are large (ohm's memo table), so they are kept only for the formatter.
 */
export function parseSource(text: string, d: Diagnostics, keepMatches = false): ParsedFile {
  const lines = d.lines as string[];
  const ast: FileAst = { file: d.file, headers: [], statements: [], lines };
  // Per line: a statement's ref (shared AST, no copy), any other line at its line, or undefined.
  const parsed: (LineAst | StatementRef | undefined)[] = [];
  const lineAt = (i: number): LineAst | undefined => {
    const p = parsed[i];
    return p && 'shared' in p ? { kind: 'stmt', stmt: statementOf(p) } : p && restamp(p, i + 1);
  };
  const splits: SplitLine[] = [];
  const matches: (MatchResult | undefined)[] = [];
  const bin = findBinary(text);
  if (bin >= 0) {
    const before = text.slice(0, bin);
    const line = before.split('\n').length;
    const col = bin - before.lastIndexOf('\n');
    const code = text.charCodeAt(bin);
    const what = code === 0xfffd ? 'invalid UTF-8 (decoded as U+FFFD)' : `control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`;
    const m = d.error('mls/binary', `not a text file: ${what}`, at(line, col), { notes: ['a .mls file is UTF-8 text'] });
    // The line is not shown: it would echo raw bytes (escape sequences) to the terminal.
    if (m.location) {
      delete m.location.lineText;
      delete m.location.lineTextColumn;
      m.location.length = 0;
    }
    return { ast, lineAt, matches, splits, fatal: true };
  }
  if (text.trim() === '') {
    d.error('mls/empty-file', 'empty file: a scenario needs at least a `scenario "name"` line', undefined, {
      notes: ['SPEC.md Part I §2: every header line is optional except `scenario`'],
    });
    return { ast, lineAt, matches, splits, fatal: true };
  }
  let block: Word | undefined;
  let blockSpan: Span | undefined;
  let repeat: RepeatAst | undefined;
  let seenStatement = false;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const split = splitLine(lines[i]!);
    splits.push(split);
    parsed.push(undefined);
    matches.push(undefined);
    if (split.code.length > MAX_LINE_CHARS) {
      // Comments are cut off first: only the code is matched.
      d.error('mls/line-too-long', `${split.code.length} characters of code on one line: the limit is ${MAX_LINE_CHARS}`, at(lineNo, MAX_LINE_CHARS + 1), {
        notes: ['SPEC.md Part I §1: each line is matched with a memo entry per character; split a long `expect` into several'],
      });
      continue;
    }
    if (split.openQuote !== undefined) {
      d.error('mls/unterminated-string', 'unterminated string: a string ends with `"` on the same line', at(lineNo, split.openQuote + 1, split.code.length - split.openQuote));
      badLine(d, split.code);
      continue;
    }
    if (split.nonAscii !== undefined) {
      const ch = split.code.codePointAt(split.nonAscii) ?? 0;
      d.error('mls/parse', `non-ASCII character U+${ch.toString(16).toUpperCase().padStart(4, '0')} outside a string or comment`, at(lineNo, split.nonAscii + 1), {
        notes: ['names and keywords are ASCII; put other text in strings or comments'],
      });
      badLine(d, split.code);
      continue;
    }
    let cached = lineCache.get(split.code);
    if (cached?.plan) {
      // Seen before as itself: a repeated line gets its own AST, so its statements copy without a plan.
      cached = { ast: restamp(cached.ast, 0, cached.plan, split.code) };
      lineCache.set(split.code, cached);
    } else if (!cached) {
      // A line that differs from an earlier one only in its numbers reuses its parse (line-shape.ts).
      const shapeKey = keepMatches ? undefined : shapeOf(split.code);
      const shape = shapeKey === undefined ? undefined : knownShape(shapeKey);
      if (shape) cached = lineOfShape(shape, split.code);
      else {
        // The formatter walks a `Line` CST; the compiler takes the fast start rule.
        const m = keepMatches ? { match: matchLine(split.code), rule: 'Line' as const, code: split.code } : matchLineFast(split.code);
        if (m.match.failed()) {
          reportParseError(d, m.match, split.code, lineNo);
          badLine(d, split.code);
          continue;
        }
        cached = { ast: lineToAst(m, 0) };
        if (shapeKey !== undefined) learnShape(shapeKey, m);
        if (keepMatches) matches[i] = m.match;
      }
      if (lineCache.size >= LINE_CACHE_MAX) lineCache.clear();
      lineCache.set(split.code, cached);
    }
    let l = cached.ast;
    const plan = cached.plan;
    // Only header and block lines are copied to their line here (statements when lowered).
    if (l.kind !== 'stmt' && l.kind !== 'blank') l = restamp(l, lineNo, plan, split.code);
    parsed[i] = l;
    switch (l.kind) {
      case 'blank':
        break;
      case 'header':
        if (seenStatement) d.error('mls/header-order', 'header lines come before the first statement', l.header.span);
        else if (block) d.error('mls/parse', 'a header line cannot be inside a block', l.header.span);
        else ast.headers.push(l.header as HeaderAst);
        break;
      case 'repeat':
        if (block || repeat) d.error('mls/parse', `blocks do not nest: "${block ? `in ${block.text}` : 'repeat'} {" is still open`, l.span);
        else repeat = { count: l.count, seed: l.seed, span: l.span };
        seenStatement = true;
        break;
      case 'open':
        if (repeat) d.error('mls/parse', 'blocks do not nest: "repeat {" is still open (write `in <process>:` on the lines of the body)', l.span);
        else if (block) d.error('mls/parse', `blocks do not nest: "in ${block.text} {" is still open`, l.span);
        else {
          block = l.proc;
          blockSpan = l.span;
        }
        seenStatement = true;
        break;
      case 'close':
        if (!block && !repeat) d.error('mls/parse', 'unexpected "}": no block is open', l.span);
        block = undefined;
        repeat = undefined;
        break;
      case 'stmt': {
        seenStatement = true;
        const own = l.stmt.proc;
        const ref: StatementRef = { line: lineNo, shared: l.stmt };
        // The plan is over the line's AST; the statement is its `stmt`.
        const stmtPlan = plan instanceof Map ? plan.get('stmt') : undefined;
        if (stmtPlan) ref.numbers = { plan: stmtPlan, code: split.code };
        if (block && own) d.error('mls/parse', `"in ${own.text}:" inside the block of "${block.text}"`, restamp(own.span, lineNo));
        else if (block) ref.proc = block;
        if (repeat) ref.repeat = repeat;
        ast.statements.push(ref);
        parsed[i] = ref;
        break;
      }
    }
  }
  if (block && blockSpan) d.error('mls/parse', `block "in ${block.text} {" is not closed`, blockSpan, { notes: ['close it with a line holding "}"'] });
  if (repeat) d.error('mls/parse', 'block "repeat {" is not closed', repeat.span, { notes: ['close it with a line holding "}"'] });
  return { ast, lineAt, matches, splits };
}
