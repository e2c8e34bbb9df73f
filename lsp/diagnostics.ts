// Compiler messages as LSP diagnostics, and the quick fix of each message that
// carries a did-you-mean suggestion (location.suggestion, grammar/diagnostics.ts).
import type { CodeAction, Diagnostic, DiagnosticRelatedInformation } from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import type { Message } from '../schema/generated/types.js';
import { locationRange, type Range } from './positions.js';

/** What a diagnostic carries for its quick fix (LSP `data` comes back with code action requests). */
export interface FixData {
  suggestion: string;
}

const ERROR = 1;
const WARNING = 2;

/**
 * One diagnostic per message: the id as code, notes without a place appended
 * to the text (editors show them under it), notes with a place as related
 * information. Messages with no location (a whole-file problem) go on line 1.
 */
export function toDiagnostic(m: Message, uri: string, file: string): Diagnostic {
  const range: Range = m.location ? locationRange(m.location) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const plain = m.notes.filter((n) => !n.location).map((n) => `note: ${n.text}`);
  const related: DiagnosticRelatedInformation[] = m.notes
    .filter((n) => n.location)
    .map((n) => ({ location: { uri: n.location!.file === file ? uri : pathToFileURL(n.location!.file).href, range: locationRange(n.location!) }, message: n.text }));
  const d: Diagnostic = {
    range,
    severity: m.severity === 'error' ? ERROR : WARNING,
    code: m.id,
    source: 'mls',
    message: [m.text, ...plain].join('\n'),
  };
  if (related.length > 0) d.relatedInformation = related;
  if (m.location?.suggestion !== undefined) d.data = { suggestion: m.location.suggestion } satisfies FixData;
  return d;
}

/** A quick fix replacing the diagnostic's range with its suggestion. */
export function fixFor(d: Diagnostic, uri: string): CodeAction | undefined {
  const data = d.data as Partial<FixData> | undefined;
  if (typeof data?.suggestion !== 'string') return undefined;
  return {
    title: `Change to '${data.suggestion}'`,
    kind: 'quickfix',
    diagnostics: [d],
    isPreferred: true,
    edit: { changes: { [uri]: [{ range: d.range, newText: data.suggestion }] } },
  };
}
