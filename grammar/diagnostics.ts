// Building compiler diagnostics (the esbuild-style Message of results.schema.json)
// and "did you mean" suggestions.
import type { Message } from '../schema/generated/types.js';
import type { Span } from './ast.js';
import { excerpt } from './excerpt.js';

export type Severity = Message['severity'];

/** Ids of names a statement binds; see `unparsedNames`. */
const SCOPED_IDS = new Set(['mls/unknown-region', 'mls/unknown-file', 'mls/unknown-segment', 'mls/unknown-process']);

/** Collects messages for one file; knows the source lines to fill in lineText. */
export class Diagnostics {
  readonly messages: Message[] = [];
  /**
   * Names bound or declared by lines that did not parse (and `scenario` when the
   * scenario line did not): an unknown-name error for them would only repeat
   * the parse error, so `unknown` returns its message without keeping it.
   */
  readonly unparsedNames = new Set<string>();
  constructor(
    readonly file: string,
    readonly lines: readonly string[],
  ) {}

  add(id: string, severity: Severity, text: string, span?: Span, opts: { suggestion?: string; notes?: string[] } = {}): Message {
    const msg: Message = { id, severity, text, notes: (opts.notes ?? []).map((t) => ({ text: t })) };
    if (span) {
      const length = Math.max(0, span.endColumn - span.column);
      msg.location = {
        file: this.file,
        line: span.line,
        column: span.column,
        length,
        ...excerpt(this.lines[span.line - 1] ?? '', span.column, length),
      };
      if (opts.suggestion !== undefined) msg.location.suggestion = opts.suggestion;
    }
    this.messages.push(msg);
    return msg;
  }
  error(id: string, text: string, span?: Span, opts?: { suggestion?: string; notes?: string[] }): Message {
    return this.add(id, 'error', text, span, opts);
  }
  warning(id: string, text: string, span?: Span, opts?: { suggestion?: string; notes?: string[] }): Message {
    return this.add(id, 'warning', text, span, opts);
  }
  /** An unknown name: error with a did-you-mean suggestion and the list of valid names. */
  unknown(id: string, what: string, name: string, span: Span, candidates: readonly string[]): Message {
    // A kernel spelling that is not an alias (`MAP_LOCKD`): compare its uapi-less remainder.
    const best = didYouMean(name, candidates) ?? (/^[A-Z][A-Z0-9]*_./.test(name) ? didYouMean(name.replace(/^[A-Z][A-Z0-9]*_/, '').toLowerCase(), candidates) : undefined);
    const notes: string[] = [];
    if (best !== undefined) notes.push(`did you mean "${best}"?`);
    if (candidates.length > 0 && candidates.length <= 40) notes.push(`known ${plural(what)}: ${candidates.join(', ')}`);
    const opts = { notes, ...(best !== undefined ? { suggestion: best } : {}) };
    if (SCOPED_IDS.has(id) && this.unparsedNames.has(name)) return { id, severity: 'error', text: `unknown ${what} "${name}"`, notes: [] };
    return this.error(id, `unknown ${what} "${name}"`, span, opts);
  }
  hasErrors(): boolean {
    return this.messages.some((m) => m.severity === 'error');
  }
}

/** "capability" → "capabilities", "process" → "processes", "flag" → "flags". */
export function plural(what: string): string {
  if (/[^aeiou]y$/.test(what)) return what.slice(0, -1) + 'ies';
  return /(s|x|ch|sh)$/.test(what) ? what + 'es' : what + 's';
}

/** Edit distance counting a transposition as one edit (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return Math.max(a.length, b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a distance that scales with the word's length. */
export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c.toLowerCase() === name.toLowerCase()) return c;
    const d = editDistance(name, c);
    if (d <= limit && d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}
