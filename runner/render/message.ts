// esbuild/ohm-style diagnostics: `file:line:col: error: text [id]`, the source
// line, a caret under the span, a "did you mean" line and the notes.
import type { Location, Message } from '../../schema/generated/types.js';
import { plain, type Style } from './style.js';

/** Looks up a file's text when a location carries no lineText. */
export type SourceLookup = (file: string) => string | undefined;

export function lineOf(text: string, line: number): string | undefined {
  const lines = text.split(/\r?\n/);
  return line >= 1 && line <= lines.length ? lines[line - 1] : undefined;
}

/** The source line and a caret line under [column, column+length). Tabs are kept so the caret lines up. */
export function codeFrame(loc: Location, style: Style, sources?: SourceLookup): string[] {
  // A zero-length span without text marks a whole-file message (I/O error, crash): no frame.
  if (loc.lineText === undefined && loc.length === 0) return [];
  const text = loc.lineText ?? (sources ? lineOf(sources(loc.file) ?? '', loc.line) : undefined);
  if (text === undefined) return [];
  const gutter = String(loc.line);
  const pad = ' '.repeat(gutter.length);
  // An excerpt of a long line starts at lineTextColumn.
  const from = loc.lineText !== undefined ? (loc.lineTextColumn ?? 1) : 1;
  const col = Math.min(Math.max(loc.column - from, 0), text.length);
  const len = Math.max(1, Math.min(loc.length ?? 1, Math.max(1, text.length - col)));
  const lead = text.slice(0, col).replace(/[^\t]/g, ' ');
  const out = [
    `  ${style.dim(`${gutter} │`)} ${text}`,
    `  ${style.dim(`${pad} ╵`)} ${lead}${style.green('^'.repeat(len))}`,
  ];
  if (loc.suggestion !== undefined) out.push(`  ${style.dim(`${pad}  `)} ${lead}${style.green(loc.suggestion)}`);
  return out;
}

export function locationText(loc: Location): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

export function renderMessage(msg: Message, style: Style = plain, sources?: SourceLookup): string {
  const sev = msg.severity === 'error' ? style.red(style.bold('error')) : style.yellow(style.bold('warning'));
  const where = msg.location ? `${style.bold(locationText(msg.location))}: ` : '';
  const lines = [`${where}${sev}: ${style.bold(msg.text)} ${style.dim(`[${msg.id}]`)}`];
  if (msg.location) {
    lines.push(...codeFrame(msg.location, style, sources));
    const noted = msg.notes.some((n) => /did you mean/i.test(n.text));
    if (msg.location.suggestion !== undefined && !noted) lines.push(`  did you mean '${msg.location.suggestion}'?`);
  }
  for (const note of msg.notes) {
    const at = note.location ? `${locationText(note.location)}: ` : '';
    lines.push(`  ${style.cyan('note')}: ${at}${note.text}`);
    if (note.location) lines.push(...codeFrame(note.location, style, sources).map((l) => `  ${l}`));
  }
  return lines.join('\n') + '\n';
}

export function renderMessages(msgs: readonly Message[], style: Style = plain, sources?: SourceLookup): string {
  return msgs.map((m) => renderMessage(m, style, sources)).join('\n');
}

/** A message for a whole file (I/O errors, crashes): no source position. */
export function fileMessage(id: string, text: string, file?: string, notes: string[] = []): Message {
  return {
    id,
    severity: 'error',
    text,
    ...(file !== undefined ? { location: { file, line: 1, column: 1, length: 0 } } : {}),
    notes: notes.map((n) => ({ text: n })),
  };
}
