// Lines that differ only in their numbers share a parse. Generated suites and
// big files repeat statements with other numbers (`mlock buf + 7p 1p`, then
// `+ 8p 2p`): matching each one is ohm's memo table all over again (~5,000
// lines a CPU second), reusing a parse is ~10x faster.
//
// Why it is sound: the grammar tells digits apart only in `mlock2` and the radix
// prefixes `0x`/`0b` (and a binary literal's 0s and 1s); everywhere else a digit
// is matched by a class (`digit`, `"0".."9"`, `any`). So the CST of a line is the
// CST of every line of its *shape*: its code with each digit of its numbers and
// names (`16p`, `m12`) replaced by NUL (code never holds a control character:
// parse.ts refuses them first). `mlock2` and radix literals stay as written.
// A CST holds lengths, never text: toAst run on it with another line as input
// reads that line's numbers. And toAst branches on no digit, so the AST of a line
// is an earlier AST of its shape with the digit-bearing strings re-read at the
// same offsets: the *slots*, found by converting a line a second time with every
// abstracted digit changed. test/grammar/line-shape.test.ts checks the
// grammar for digit terminals and that shared parses give a fresh match's AST.
import type { MatchResult } from 'ohm-js';
import grammar from './mls.ohm-bundle.js';
import type { LineAst, NumberPlan, Span } from './ast.js';
import type { LineMatch, StartRule } from './match-line.js';
import { lineToAst } from './to-ast.js';

const TOKEN = /[A-Za-z_][A-Za-z0-9_]*|0[xXbB][0-9A-Za-z]*|[0-9]+/g;

/** The line's shape, or undefined when it has no digit to abstract. */
export function shapeOf(code: string): string | undefined {
  let masked = false;
  const key = code.replace(TOKEN, (t) => {
    if (!isAbstracted(t)) return t;
    masked = true;
    return t.replace(DIGITS, '\0');
  });
  return masked ? key : undefined;
}

const DIGITS = /[0-9]/g;

/**
 * A token whose digits are abstracted: a decimal number, or a word holding a
 * digit (`m12`; the grammar's words take any digit after the first letter),
 * except the keyword `mlock2` and `0x`/`0b` literals, which the grammar reads
 * digit by digit.
 */
function isAbstracted(t: string): boolean {
  const c = t.charCodeAt(0);
  if (c >= 48 && c <= 57) return !(t.length > 1 && t[0] === '0' && 'xXbB'.includes(t[1]!));
  return t !== 'mlock2' && /[0-9]/.test(t);
}

/** A string of the AST read from the code at [offset, offset + length). */
interface Slot {
  path: readonly (string | number)[];
  offset: number;
  length: number;
}

/** What one shape parses to: its start rule and CST, and (once seen twice) its AST with slots. */
export interface Shape {
  rule: StartRule;
  /** The CST only: no matcher, so no memo table is kept alive. */
  match: MatchResult;
  /**
   * The AST (spans on line 0) of the shape's second line and where its digits are;
   * null when the slots could not be found. Not looked for on the first line: most
   * shapes of a file are seen once, and looking costs a second conversion.
   */
  template?: { ast: LineAst; plan: NumberPlan } | null;
}

const shapes = new Map<string, Shape>();
// A shape costs ~14 kB (its CST and template, measured): at most ~28 MB, while a big
// generated file has tens of shapes.
const SHAPES_MAX = 2_000;

export function knownShape(key: string): Shape | undefined {
  return shapes.get(key);
}

/** Record the shape of a line that matched. */
export function learnShape(key: string, m: LineMatch): void {
  if (shapes.size >= SHAPES_MAX) shapes.clear();
  shapes.set(key, { rule: m.rule, match: withInput(m.match, key) });
}

/**
 * A line of a known shape: its AST (spans on line 0), or the shape's shared AST
 * and the plan that reads this line's numbers into its copy (restamp.ts): a
 * statement is copied only when it is used, so a big file keeps one AST a shape.
 */
export function lineOfShape(shape: Shape, code: string): { ast: LineAst; plan?: NumberPlan } {
  if (shape.template === undefined) {
    const ast = convert(shape, code);
    shape.template = findTemplate(shape, code, ast);
    return { ast };
  }
  if (shape.template === null) return { ast: convert(shape, code) };
  return { ast: shape.template.ast, plan: shape.template.plan };
}

function convert(shape: Shape, code: string): LineAst {
  return lineToAst({ match: withInput(shape.match, code), rule: shape.rule, code }, 0);
}

/**
 * The slots, found by converting the line again with every abstracted digit
 * changed: a string that differs is a digit-bearing slice of the code, found at
 * the one offset inside its node's span where both versions hold it. Anything
 * else that differs (or a slice found at no offset or at two) gives null: the
 * shape's lines are then converted from the shared CST one by one.
 */
function findTemplate(shape: Shape, code: string, ast: LineAst): { ast: LineAst; plan: NumberPlan } | null {
  const other = bumpDigits(code);
  const slots: Slot[] = [];
  return findSlots(ast, convert(shape, other), code, other, [], undefined, slots) ? { ast, plan: planOf(slots) } : null;
}

/** Every abstracted digit advanced by one: 0→1 … 9→0 (the same shape). */
function bumpDigits(code: string): string {
  return code.replace(TOKEN, (t) => (isAbstracted(t) ? t.replace(DIGITS, (c) => String((+c + 1) % 10)) : t));
}

function isSpan(v: unknown): v is Span {
  return typeof v === 'object' && v !== null && typeof (v as Span).column === 'number' && typeof (v as Span).endColumn === 'number';
}

function findSlots(a: unknown, b: unknown, codeA: string, codeB: string, path: (string | number)[], within: Span | undefined, out: Slot[]): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') {
    if (a.length !== b.length || !within) return false;
    let found = -1;
    for (let o = within.column - 1; o + a.length <= within.endColumn - 1; o++) {
      if (codeA.startsWith(a, o) && codeB.startsWith(b, o)) {
        if (found >= 0) return false;
        found = o;
      }
    }
    if (found < 0) return false;
    out.push({ path: [...path], offset: found, length: a.length });
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const span = 'span' in a && isSpan((a as { span: unknown }).span) ? (a as { span: Span }).span : within;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i]) return false;
    const key = Array.isArray(a) ? i : k;
    path.push(key);
    const ok = findSlots((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], codeA, codeB, path, span, out);
    path.pop();
    if (!ok) return false;
  }
  return true;
}

/** The slots as a tree over the AST: one copy of each object on a slot's path, shared by its slots. */
function planOf(slots: Slot[]): NumberPlan {
  const root = new Map<string | number, NumberPlan>();
  for (const s of slots) {
    let node = root;
    for (let i = 0; i < s.path.length - 1; i++) {
      const k = s.path[i]!;
      let next = node.get(k);
      if (!next) node.set(k, (next = new Map()));
      node = next as Map<string | number, NumberPlan>;
    }
    node.set(s.path[s.path.length - 1]!, { offset: s.offset, length: s.length });
  }
  return root;
}

/** ohm's MatchResult class (not exported by ohm-js): a semantics checks `instanceof` it. */
const MatchResultProto = Object.getPrototypeOf(grammar.match('', 'Line')) as object;

/** The same CST, read against another input of the same shape. Only what a semantics reads is set. */
function withInput(m: MatchResult, input: string): MatchResult {
  const src = m as unknown as { startExpr: unknown; _cst: unknown; _cstOffset: number };
  return Object.assign(Object.create(MatchResultProto) as MatchResult, {
    matcher: undefined,
    input,
    startExpr: src.startExpr,
    _cst: src._cst,
    _cstOffset: src._cstOffset,
    _rightmostFailurePosition: -1,
    _rightmostFailures: undefined,
  });
}
