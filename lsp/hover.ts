// Hover: a region's size and where it was bound; for any other word, what
// SPEC.md Part I says about it in the statement it is used in (spec-text.ts).
import type { LineAst } from '../grammar/ast.js';
import { BUILTIN_REGIONS } from '../grammar/names.js';
import { UNITS, formatSize } from '../grammar/numbers.js';
import { splitLine } from '../grammar/parse.js';
import { SPEC_PART_I } from './generated/spec.js';
import type { Analysis, Reference } from './analyze.js';
import { contains, spanRange, wordAt, type Position, type Range } from './positions.js';
import { describe, indexSpec, lineKeyword, type SpecIndex } from './spec-text.js';

let spec: SpecIndex | undefined;
export function specIndex(): SpecIndex {
  spec ??= indexSpec(SPEC_PART_I);
  return spec;
}

export interface HoverResult {
  contents: { kind: 'markdown'; value: string };
  range: Range;
}

/** The keyword of a line's statement or header (`in kid: mlock buf` → mlock). */
export function statementOf(l: LineAst | undefined, text: string): string | undefined {
  if (l?.kind === 'stmt') { const a = l.stmt.action; return a.kind === 'expect' || a.kind === 'let' ? a.kind : a.call.op === 'every_mapping' ? a.call.call : a.call.op; }
  if (l?.kind === 'header') return l.header.kind;
  if (l?.kind === 'open') return 'in';
  return lineKeyword(text.replace(/#.*$/, ''));
}

export function referenceAt(a: Analysis, p: Position): Reference | undefined {
  return a.references.find((r) => contains(r.span, p));
}

function regionText(r: Reference, a: Analysis): string {
  const b = r.binding;
  if (!b) {
    return BUILTIN_REGIONS.includes(r.name)
      ? `built-in region \`${r.name}\` of process \`${r.proc}\` (SPEC.md §1.2): its length is the target's current one`
      : `\`${r.name}\` is not bound in process \`${r.proc}\` here`;
  }
  const size = b.len !== undefined
    ? `${formatSize(b.len)} (${b.len} bytes)`
    : b.remappedAt !== undefined ? `length known only when it runs (mremap on line ${b.remappedAt})` : 'length known only when it runs';
  const where = b.proc === r.proc ? '' : ` in process \`${b.proc}\` (inherited by \`${r.proc}\`)`;
  const line = a.lines[b.span.line - 1]?.trim() ?? '';
  return `region \`${b.name}\`: ${size}\n\nbound on line ${b.span.line} by \`${b.op}\`${where}\n\n\`\`\`mls\n${line}\n\`\`\``;
}

/** A size literal's value (`16p` → 65536 bytes), as SPEC §1.1 reads it. */
function sizeText(word: string): string | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([A-Za-z]*)$/.exec(word);
  if (!m) return undefined;
  const unit = m[2] === '' ? 1n : UNITS[m[2]!];
  if (unit === undefined) return undefined;
  const digits = m[1]!;
  const v = BigInt(/^0[bB]/.test(digits) ? `0b${digits.slice(2)}` : digits) * unit;
  return `\`${word}\` = ${v} bytes (0x${v.toString(16)}${v >= 4096n && v % 4096n === 0n ? `, ${v / 4096n} pages` : ''})`;
}

export function hover(a: Analysis, p: Position): HoverResult | undefined {
  const ref = referenceAt(a, p);
  if (ref) return { contents: { kind: 'markdown', value: regionText(ref, a) }, range: spanRange(ref.span) };
  const text = a.lines[p.line] ?? '';
  const split = splitLine(text.slice(0, p.character));
  if (split.comment !== undefined || split.openQuote !== undefined) return undefined; // a comment or a string
  const w = wordAt(text, p.character);
  if (!w) return undefined;
  const range = { start: { line: p.line, character: w.start }, end: { line: p.line, character: w.end } };
  const size = sizeText(w.text);
  if (size) return { contents: { kind: 'markdown', value: size }, range };
  const forked = a.processes.get(w.text);
  if (forked && /^\s*in\s+$/.test(text.slice(0, w.start))) {
    return { contents: { kind: 'markdown', value: `process \`${w.text}\`, forked on line ${forked.line}` }, range };
  }
  // `in kid: exit`: the `in` prefix is a construct of its own, not a word of `exit`.
  const prefix = w.text === 'in' && text.slice(0, w.start).trim() === '';
  const value = describe(specIndex(), w.text, prefix ? 'in' : statementOf(a.parsed[p.line], text));
  return value === undefined ? undefined : { contents: { kind: 'markdown', value }, range };
}
