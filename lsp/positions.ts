// Compiler spans (1-based line and column, end exclusive; columns are UTF-16
// code units, as JavaScript indexes strings) ↔ LSP ranges (0-based, UTF-16).
import type { Location } from '../schema/generated/types.js';
import type { Span } from '../grammar/ast.js';

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export function spanRange(s: Span): Range {
  return { start: { line: s.line - 1, character: s.column - 1 }, end: { line: s.line - 1, character: s.endColumn - 1 } };
}

/** A message location: a zero or missing length still marks one character, so editors show it. */
export function locationRange(l: Location): Range {
  const start = { line: Math.max(0, l.line - 1), character: Math.max(0, l.column - 1) };
  const length = l.length ?? 1;
  return { start, end: { line: start.line, character: start.character + Math.max(length, 1) } };
}

export function contains(s: Span, p: Position): boolean {
  return s.line - 1 === p.line && p.character >= s.column - 1 && p.character <= s.endColumn - 1;
}

/** The word (`[A-Za-z0-9_]+`, with `-`, `.` and `+` inside profile names) under a position of a line. */
export function wordAt(line: string, character: number): { text: string; start: number; end: number } | undefined {
  const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
  let start = character;
  let end = character;
  while (start > 0 && isWord(line[start - 1])) start--;
  while (isWord(line[end])) end++;
  if (start === end) return undefined;
  return { text: line.slice(start, end), start, end };
}
