// `only` in a scenario's header: when any file of a run has it, the run keeps
// just those scenarios (the workers drop the others as not selected); with
// --forbid-only (for CI, where a forgotten `only` would silently shrink the
// suite) it is an error. Found before the run by a line scan: the grammar has
// one statement per line and `only` alone on its line is only ever this header.
import { readFileSync } from 'node:fs';
import type { Message } from '../schema/generated/types.js';

const ONLY_LINE = /^[ \t]*only[ \t]*(?:#.*)?$/m;

/** The line of the `only` header of `text`, if it has one. */
export function onlyLine(text: string): { line: number; lineText: string } | undefined {
  const m = ONLY_LINE.exec(text);
  if (!m) return undefined;
  const line = text.slice(0, m.index).split('\n').length;
  return { line, lineText: m[0] };
}

export function filesWithOnly(files: ReadonlyArray<{ file: string; absPath: string }>): Message[] {
  const found: Message[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f.absPath, 'utf8');
    } catch {
      continue; // the run reports the unreadable file itself
    }
    const at = onlyLine(text);
    if (at) {
      found.push({
        id: 'run/only-forbidden', severity: 'error', text: '`only` in a scenario while --forbid-only is given',
        location: { file: f.file, line: at.line, column: at.lineText.indexOf('only') + 1, length: 4, lineText: at.lineText },
        notes: [{ text: '`only` narrows the run to the scenarios that say it; remove it before committing' }],
      });
    }
  }
  return found;
}
