// Document symbols (the scenario, its processes, regions, files and segments)
// and go to definition (a region name → the statement that bound it in this
// process; a process name → its fork).
import type { DocumentSymbol, SymbolKind } from 'vscode-languageserver';
import type { Analysis } from './analyze.js';
import { referenceAt } from './hover.js';
import { spanRange, wordAt, type Position, type Range } from './positions.js';

/** LSP SymbolKind values used here. */
const KIND = { file: 1, module: 2, namespace: 3, variable: 13, object: 19, process: 12 } as const;

type Symbol = DocumentSymbol;

const lineRange = (a: Analysis, line: number): Range => ({ start: { line, character: 0 }, end: { line, character: (a.lines[line] ?? '').length } });

export function documentSymbols(a: Analysis): Symbol[] {
  const sym = (name: string, kind: SymbolKind, span: { line: number; column: number; endColumn: number }, detail?: string): Symbol => ({
    name, kind, range: lineRange(a, span.line - 1), selectionRange: spanRange(span), ...(detail ? { detail } : {}),
  });
  const children: Symbol[] = [
    ...[...a.processes].map(([name, span]) => sym(name, KIND.process, span, 'process')),
    ...a.bindings.map((b) => sym(b.name, KIND.variable, b.span, `${b.op} in ${b.proc}`)),
    ...[...a.files].map(([name, span]) => sym(name, KIND.file, span, 'file')),
    ...[...a.segments].map(([name, s]) => sym(name, KIND.object, s.span, 'segment')),
  ].sort((x, y) => x.range.start.line - y.range.start.line);
  if (!a.scenario) return children;
  const last = Math.max(0, a.lines.length - 1);
  return [{
    name: a.scenario.name,
    kind: KIND.namespace,
    detail: 'scenario',
    range: { start: { line: 0, character: 0 }, end: { line: last, character: (a.lines[last] ?? '').length } },
    selectionRange: spanRange(a.scenario.span),
    children,
  }];
}

export function definition(a: Analysis, p: Position): Range | undefined {
  const ref = referenceAt(a, p);
  if (ref?.binding) return spanRange(ref.binding.span);
  const text = a.lines[p.line] ?? '';
  const w = wordAt(text, p.character);
  const forked = w && /^\s*in\s+$/.test(text.slice(0, w.start)) ? a.processes.get(w.text) : undefined;
  return forked ? spanRange(forked) : undefined;
}
