// The source text a location carries (Location.lineText): the whole line, or on a
// long line a window around the span. A result names the line once per check, so a
// 1 MB line with 60,000 clauses put 60 GB of line text into the reports.

/** Lines up to this length are carried whole. */
export const EXCERPT_MAX = 240;
/** Characters kept before the span in an excerpt. */
const BEFORE = 80;

export interface Excerpt { lineText: string; lineTextColumn?: number }

/** lineText for a span at 1-based column (and length) of line. */
export function excerpt(line: string, column: number, length = 1): Excerpt {
  // Control characters (escape sequences) are never echoed; one stands for one, so carets still line up.
  if (/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(line)) line = line.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '\ufffd');
  if (line.length <= EXCERPT_MAX) return { lineText: line };
  const start = Math.max(0, Math.min(column - 1 - BEFORE, line.length - EXCERPT_MAX));
  const end = Math.min(line.length, Math.max(start + EXCERPT_MAX, column - 1 + Math.min(length, EXCERPT_MAX)));
  return start > 0 ? { lineText: line.slice(start, end), lineTextColumn: start + 1 } : { lineText: line.slice(start, end) };
}
